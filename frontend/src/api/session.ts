/**
 * The session: tokens, the signed-in user and what they may do. The only client-side store;
 * server data lives in TanStack Query. Persisted in localStorage so a reload keeps you in.
 */
import { create } from "zustand";
import { createJSONStorage, persist } from "zustand/middleware";
import type { LoginResponse, Me, TokenPair, User } from "./types";

export interface SessionState {
  token: string | null;
  refreshToken: string | null;
  user: User | null;
  roles: string[];
  permissions: string[];
  customerId: number | null;
  /**
   * True once the server ended the session (the refresh was refused): /login then says so.
   * A sign-in or a deliberate sign-out resets it.
   */
  expired: boolean;
  /** Store a fresh login. */
  signIn: (login: LoginResponse) => void;
  /** Replace the token pair after a refresh. */
  setTokens: (tokens: TokenPair) => void;
  /** Update the user/roles/permissions from GET /crm/auth/me. */
  setMe: (me: Me) => void;
  /** Patch the cached user (e.g. after enabling 2FA). */
  updateUser: (patch: Partial<User>) => void;
  /** Forget everything; the route guard then sends the user to /login. */
  clear: () => void;
  /** Forget everything because the server ended the session (not the user): see `expired`. */
  expire: () => void;
}

const empty = {
  token: null,
  refreshToken: null,
  user: null,
  roles: [],
  permissions: [],
  customerId: null,
  expired: false,
} satisfies Partial<SessionState>;

export const SESSION_STORAGE_KEY = "omnicrm.session";

export const useSession = create<SessionState>()(
  persist(
    (set) => ({
      ...empty,
      signIn: (login) =>
        set({
          token: login.token,
          refreshToken: login.refresh_token,
          user: login.user,
          roles: login.roles,
          permissions: login.permissions,
          expired: false,
        }),
      setTokens: (tokens) => set({ token: tokens.token, refreshToken: tokens.refresh_token }),
      setMe: (me) =>
        set({
          user: me.user,
          roles: me.roles,
          permissions: me.permissions,
          customerId: me.customer_id ?? null,
        }),
      updateUser: (patch) => set((s) => (s.user ? { user: { ...s.user, ...patch } } : {})),
      clear: () => set({ ...empty }),
      expire: () => set({ ...empty, expired: true }),
    }),
    {
      name: SESSION_STORAGE_KEY,
      storage: createJSONStorage(() => localStorage),
      partialize: ({ token, refreshToken, user, roles, permissions, customerId, expired }) => ({
        token,
        refreshToken,
        user,
        roles,
        permissions,
        customerId,
        expired,
      }),
    },
  ),
);

/**
 * Whether a permission list grants `permission` ("customer.read"). Accepts "*" and
 * "customer.*" wildcards in case the backend grants a whole resource to a role.
 */
export function grants(permissions: readonly string[], permission: string): boolean {
  if (permissions.includes(permission) || permissions.includes("*")) return true;
  const resource = permission.split(".")[0];
  return permissions.includes(`${resource}.*`);
}

/** React hook: does the signed-in user hold `permission`? */
export function usePermission(permission: string | undefined): boolean {
  return useSession((s) => (permission ? grants(s.permissions, permission) : true));
}

// Keep tabs in step: another tab's refresh rotates the refresh token, and a tab still holding
// the old one would be refused (reuse detection) and signed out.
if (typeof window !== "undefined") {
  window.addEventListener("storage", (event) => {
    if (event.key === SESSION_STORAGE_KEY) void useSession.persist.rehydrate();
  });
}
