import type { HTMLAttributes, ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  /** The row's name (a <th scope="row">): the first column usually. */
  rowHeader?: boolean;
  /** A header only screen readers need ("Actions"). */
  hideHeader?: boolean;
  className?: string;
}

/**
 * Harbour's one table. On a wide screen it is a plain table; on a phone (CSS, below 40rem)
 * each row becomes a card whose cells carry their column's name, so no page is wider than
 * the screen and nothing hides in a sideways scroll.
 */
export function DataTable<T>({
  rows,
  columns,
  rowKey,
  caption,
  hideCaption,
  label,
  rowProps,
  className,
  cards = 'phone',
}: {
  rows: readonly T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  caption?: ReactNode;
  hideCaption?: boolean;
  /** An accessible name when there is no caption. */
  label?: string;
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string>;
  className?: string;
  /** 'wide': a table of many columns becomes cards below 72rem too (a 1024 px laptop), not only on a phone. */
  cards?: 'phone' | 'wide';
}) {
  return (
    <div className="table-wrap">
      <table
        className={`data-table${cards === 'wide' ? ' data-table-wide' : ''}${className ? ` ${className}` : ''}`}
        aria-label={label}
      >
        {caption !== undefined && (
          <caption className={hideCaption ? 'visually-hidden' : undefined}>{caption}</caption>
        )}
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.className}>
                {c.hideHeader ? <span className="visually-hidden">{c.header}</span> : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowProps?.(row)}>
              {columns.map((c) =>
                c.rowHeader ? (
                  <th key={c.key} scope="row" data-label={c.header} className={c.className}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={c.key} data-label={c.hideHeader ? undefined : c.header} className={c.className}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
