/** Put the API's validation errors where the user is looking: under the inputs. */
import { isApiError } from "@/api";
import { notifyError } from "./notify";

interface FormWithErrors {
  values: object;
  setErrors: (errors: Record<string, string>) => void;
}

/**
 * Show an API error on a Mantine form: field errors (422 `errors.json`) under the inputs that
 * exist in the form, anything else as a notification. Returns true when fields were marked.
 */
export function showFormError(form: FormWithErrors, error: unknown): boolean {
  if (isApiError(error)) {
    const known = Object.keys(form.values);
    const entries = Object.entries(error.fieldErrors);
    const onFields = entries.filter(([path]) => known.includes(path.split(".")[0]));
    if (onFields.length) {
      form.setErrors(Object.fromEntries(onFields));
      if (onFields.length < entries.length) notifyError(error);
      return true;
    }
  }
  notifyError(error);
  return false;
}

/** A trimmed input value, or null when it is blank (clears an optional field on PATCH). */
export function nullIfBlank(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** Leave out null members, for create bodies where absent means "use the default". */
export function withoutNulls<T extends object>(body: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null && v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };
}
