import type { ReactNode } from 'react';
import { Card } from './ui/card';
import { Table, TBody, Td, Th, THead, Tr } from './ui/table';

/** One column of a {@link DataTable}: its header and how to render a row's cell. */
export interface Column<T> {
  /** Stable React key of the column. */
  key: string;
  /** Header content; empty for a column of controls (e.g. checkboxes). */
  header?: ReactNode;
  headerClassName?: string;
  /** Classes of every cell in the column. */
  className?: string;
  cell: (row: T) => ReactNode;
}

/**
 * A list of records as a table in a card: one row per record, one cell per column, and a
 * full-width message when there is nothing to show (never while the first page is loading).
 */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  loading = false,
  empty,
  testId,
  rowTestId,
}: {
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** True until the first rows arrive: the empty message waits for them. */
  loading?: boolean;
  empty: ReactNode;
  /** `data-testid` of the table and of each row, for tests. */
  testId?: string;
  rowTestId?: string;
}) {
  return (
    <Card>
      <Table data-testid={testId}>
        <THead>
          <Tr>
            {columns.map((c) => (
              <Th key={c.key} className={c.headerClassName}>
                {c.header}
              </Th>
            ))}
          </Tr>
        </THead>
        <TBody>
          {rows.map((row) => (
            <Tr key={rowKey(row)} data-testid={rowTestId}>
              {columns.map((c) => (
                <Td key={c.key} className={c.className}>
                  {c.cell(row)}
                </Td>
              ))}
            </Tr>
          ))}
          {rows.length === 0 && !loading ? (
            <Tr>
              <Td
                colSpan={columns.length}
                className="py-8 text-center text-sm text-muted-foreground"
              >
                {empty}
              </Td>
            </Tr>
          ) : null}
        </TBody>
      </Table>
    </Card>
  );
}
