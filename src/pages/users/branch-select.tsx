import type { Branch } from '@neon/sdk/raw';

interface BranchSelectProps {
  id: string;
  branches: Branch[];
  value: string;
  onChange: (branchId: string) => void;
  label?: string;
}

export function branchLabel(branch: Branch): string {
  return branch.default ? `${branch.name} (default)` : branch.name;
}

/** A native select: keyboard, screen readers and phones handle it well for free. */
export function BranchSelect({
  id,
  branches,
  value,
  onChange,
  label = 'Branch',
}: BranchSelectProps) {
  return (
    <div className="field field-inline">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        className="select"
        value={value}
        onChange={(event) => onChange(event.target.value)}
      >
        {branches.map((branch) => (
          <option key={branch.id} value={branch.id}>
            {branchLabel(branch)}
          </option>
        ))}
      </select>
    </div>
  );
}
