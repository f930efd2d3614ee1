'use client';

import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { metric } from '~/lib/format';
import { mergeSeries, smooth, type Point } from '~/lib/curves';

const palette = [
  '#4f46e5',
  '#e11d48',
  '#059669',
  '#d97706',
  '#0891b2',
  '#7c3aed',
  '#64748b',
  '#db2777',
];

export interface Series {
  key: string;
  label: string;
  points: readonly Point[];
}

/** Line chart of one or more metric series over steps, with EMA smoothing and an optional log y axis. */
export function MetricChart({
  series,
  smoothing = 0,
  logScale = false,
  height = 260,
}: {
  series: readonly Series[];
  smoothing?: number;
  logScale?: boolean;
  height?: number;
}) {
  const shown = series.map((s) => ({
    key: s.key,
    // A log axis cannot show zero or negative values: drop them rather than break the chart.
    points: smooth(s.points, smoothing).filter((p) => !logScale || p.value > 0),
  }));
  const data = mergeSeries(shown);
  if (data.length === 0) {
    return (
      <div
        className="flex items-center justify-center text-sm text-muted-foreground"
        style={{ height }}
      >
        No points yet.
      </div>
    );
  }
  return (
    <div style={{ height }} data-testid="metric-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e4e4e7" />
          <XAxis
            dataKey="step"
            type="number"
            domain={['dataMin', 'dataMax']}
            fontSize={11}
            tickFormatter={(v: number) => String(v)}
          />
          <YAxis
            scale={logScale ? 'log' : 'auto'}
            domain={['auto', 'auto']}
            fontSize={11}
            width={56}
            tickFormatter={(v: number) => metric(v)}
            allowDataOverflow
          />
          <Tooltip
            formatter={(v) => metric(Number(v))}
            labelFormatter={(l) => `step ${typeof l === 'number' ? l : ''}`}
          />
          <Legend />
          {series.map((s, i) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.label}
              stroke={palette[i % palette.length]}
              dot={false}
              strokeWidth={1.5}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
