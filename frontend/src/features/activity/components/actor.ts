import type { Activity } from "@/api";

type ActorFields = Pick<Activity, "user_id" | "api_key_id"> & { actor?: string | null; user_email?: string | null };

/** Who did it: the name the API resolved (the user's full name), else an API key or the system. */
export function actorOf(activity: ActorFields): string {
  if (activity.actor) return activity.actor;
  if (activity.user_email) return activity.user_email;
  if (activity.user_id !== null) return `User #${activity.user_id}`;
  if (activity.api_key_id !== null) return `API key #${activity.api_key_id}`;
  return "System";
}
