'use client';

import type { DetectorCategory } from '@ganmod/moderation/contract';
import { Select } from '~/components/ui/input';
import { cn } from '~/components/ui/cn';

export interface Filters {
  view: 'review' | 'escalated' | 'unscored';
  category: DetectorCategory | '';
  minScore: string;
  olderThanMinutes: string;
  sort: 'oldest' | 'newest' | 'score';
}

export const defaultFilters: Filters = {
  view: 'review',
  category: '',
  minScore: '',
  olderThanMinutes: '',
  sort: 'oldest',
};

const views: { value: Filters['view']; label: string }[] = [
  { value: 'review', label: 'Needs review' },
  { value: 'escalated', label: 'Escalated' },
  { value: 'unscored', label: 'Unscored' },
];

/** View tabs plus category / score / age filters and the sort order. */
export function QueueFilters({
  filters,
  categories,
  onChange,
}: {
  filters: Filters;
  categories: readonly DetectorCategory[];
  onChange: (next: Filters) => void;
}) {
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) =>
    onChange({ ...filters, [key]: value });
  return (
    <div className="space-y-2">
      <div className="flex gap-1 rounded-md bg-muted p-1" role="tablist">
        {views.map((v) => (
          <button
            key={v.value}
            type="button"
            role="tab"
            aria-selected={filters.view === v.value}
            onClick={() => set('view', v.value)}
            className={cn(
              'flex-1 rounded px-2 py-1 text-xs font-medium text-muted-foreground',
              filters.view === v.value && 'bg-background text-foreground shadow-sm',
            )}
          >
            {v.label}
          </button>
        ))}
      </div>
      <div className="grid grid-cols-2 gap-2">
        <Select
          aria-label="Category"
          value={filters.category}
          onChange={(e) => set('category', e.target.value as Filters['category'])}
          className="h-8 text-xs"
        >
          <option value="">All categories</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </Select>
        <Select
          aria-label="Minimum score"
          value={filters.minScore}
          onChange={(e) => set('minScore', e.target.value)}
          className="h-8 text-xs"
        >
          <option value="">Any score</option>
          <option value="0.5">Score ≥ 0.5</option>
          <option value="0.8">Score ≥ 0.8</option>
          <option value="0.95">Score ≥ 0.95</option>
        </Select>
        <Select
          aria-label="Age"
          value={filters.olderThanMinutes}
          onChange={(e) => set('olderThanMinutes', e.target.value)}
          className="h-8 text-xs"
        >
          <option value="">Any age</option>
          <option value="15">Older than 15 min</option>
          <option value="60">Older than 1 h</option>
          <option value="1440">Older than 1 day</option>
        </Select>
        <Select
          aria-label="Sort"
          value={filters.sort}
          onChange={(e) => set('sort', e.target.value as Filters['sort'])}
          className="h-8 text-xs"
        >
          <option value="oldest">Oldest first</option>
          <option value="newest">Newest first</option>
          <option value="score">Highest score first</option>
        </Select>
      </div>
    </div>
  );
}
