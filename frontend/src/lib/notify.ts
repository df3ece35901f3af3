/** Toasts for outcomes that have no better place on the page. */
import { notifications } from "@mantine/notifications";
import { isApiError } from "@/api";

export function notifySuccess(message: string, title?: string): void {
  notifications.show({ color: "teal", title, message });
}

export function errorMessage(error: unknown): string {
  if (isApiError(error)) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong";
}

export function notifyError(error: unknown, title = "Request failed"): void {
  notifications.show({ color: "red", title, message: errorMessage(error) });
}
