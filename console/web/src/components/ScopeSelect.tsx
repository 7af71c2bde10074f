import type { Group } from '@sluimer/shared';

/**
 * The "board or school" picker every fleet page has: the whole board, or one group shown by its path
 * (Bestuur › School › Lokaal). The page decides which groups to offer.
 */
export function ScopeSelect({
  label,
  allLabel,
  value,
  onChange,
  groups,
  paths,
}: {
  label: string;
  /** the option without a group: the whole board */
  allLabel: string;
  value: number | undefined;
  onChange: (groupId: number | undefined) => void;
  groups: readonly Pick<Group, 'id' | 'name'>[];
  paths: ReadonlyMap<number, string>;
}) {
  return (
    <label className="scope">
      <span>{label}</span>
      <select
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value ? Number(e.target.value) : undefined)}
      >
        <option value="">{allLabel}</option>
        {groups.map((g) => (
          <option key={g.id} value={g.id}>
            {paths.get(g.id) ?? g.name}
          </option>
        ))}
      </select>
    </label>
  );
}
