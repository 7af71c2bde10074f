/** A labelled password input: the login form and the account page ask for passwords the same way. */
export function PasswordField(props: {
  label: string;
  name: string;
  autoComplete: 'current-password' | 'new-password';
  value: string;
  onChange: (value: string) => void;
  minLength?: number;
  invalid?: boolean;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="password"
        name={props.name}
        autoComplete={props.autoComplete}
        minLength={props.minLength}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.invalid || undefined}
        required
      />
    </label>
  );
}
