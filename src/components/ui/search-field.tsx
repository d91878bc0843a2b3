/**
 * A labelled search box that filters the list below it as the user types, and what it
 * found (`found`: said politely to screen readers; nothing while the list is unread).
 */
export function SearchField({
  id,
  label,
  placeholder,
  value,
  onChange,
  found,
}: {
  id: string;
  label: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
  found?: string;
}) {
  return (
    <>
      <div className="field field-inline search">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type="search"
          className="input"
          placeholder={placeholder}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          autoComplete="off"
        />
      </div>
      {found === undefined ? null : (
        <p className="muted small count" aria-live="polite">
          {found}
        </p>
      )}
    </>
  );
}
