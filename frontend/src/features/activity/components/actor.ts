import type { Activity } from "@/api";

/** Who did it: the user (e-mail when the API includes it), an API key, or the system. */
export function actorOf(activity: Pick<Activity, "user_id" | "api_key_id"> & { user_email?: string | null }): string {
  if (activity.user_email) return activity.user_email;
  if (activity.user_id !== null) return `User #${activity.user_id}`;
  if (activity.api_key_id !== null) return `API key #${activity.api_key_id}`;
  return "system";
}
