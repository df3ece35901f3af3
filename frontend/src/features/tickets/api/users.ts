/** Staff users: who a ticket can be assigned to, and the names shown for who did what. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrapPage, usePermission, useSession } from "@/api";
import { staffUsersKey } from "./keys";
import type { StaffUser } from "./types";

/** Self-care users hold only the `customer` role: they work no tickets. */
const isStaff = (user: StaffUser) => user.is_active && user.roles.some((role) => role !== "customer");

/**
 * The active staff users (the first 100), read with `user.read` only: without it the list is
 * empty and people are named by id, except the signed-in user. The API still checks that an
 * assignee can work tickets (422 otherwise).
 */
export function useStaffUsers() {
  const canRead = usePermission("user.read");
  return useQuery({
    queryKey: staffUsersKey,
    enabled: canRead,
    queryFn: ({ signal }) =>
      unwrapPage(api.GET("/crm/user/", { params: { query: { is_active: true, page_size: 100 } }, signal })),
    select: (page) => page.items.filter(isStaff),
    staleTime: 5 * 60_000,
  });
}

export const displayName = (user: Pick<StaffUser, "full_name" | "email">) => user.full_name?.trim() || user.email;

/** Who a user id is, for people: their name when known, "User #id" otherwise; null is nobody. */
export function useUserNames(): (userId: number | null | undefined, nobody?: string) => string {
  const me = useSession((s) => s.user);
  const staff = useStaffUsers();
  return (userId, nobody = "—") => {
    if (userId === null || userId === undefined) return nobody;
    if (me && me.id === userId) return displayName(me);
    const user = staff.data?.find((u) => u.id === userId);
    return user ? displayName(user) : `User #${userId}`;
  };
}
