/** The job priorities by name, as the REST routes take them. */
export const PRIORITIES = ['Low', 'Normal', 'High', 'Critical'] as const;
export type PriorityName = (typeof PRIORITIES)[number];

/** A job's priority, chosen by name. */
export function PrioritySelect({ value, onChange }: { readonly value: PriorityName; readonly onChange: (value: PriorityName) => void }) {
  return (
    <label>
      Priority
      <select name="priority" value={value} onChange={(e) => onChange(e.target.value as PriorityName)}>
        {PRIORITIES.map((p) => (
          <option key={p}>{p}</option>
        ))}
      </select>
    </label>
  );
}
