import { Field } from './ui.tsx';

/** A new password typed twice, with the rule the API enforces stated up front. */
export function NewPasswordFields({
  label = 'Password',
  password,
  confirm,
  onPassword,
  onConfirm,
}: {
  label?: string;
  password: string;
  confirm: string;
  onPassword: (value: string) => void;
  onConfirm: (value: string) => void;
}) {
  return (
    <>
      <Field label={label} hint="At least 12 characters; common passwords are refused.">
        {(props) => (
          <input
            {...props}
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={12}
            required
            value={password}
            onChange={(e) => onPassword(e.target.value)}
          />
        )}
      </Field>
      <Field label="Repeat password">
        {(props) => (
          <input
            {...props}
            name="confirm"
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => onConfirm(e.target.value)}
          />
        )}
      </Field>
    </>
  );
}
