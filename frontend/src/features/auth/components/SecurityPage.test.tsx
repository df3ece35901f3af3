import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login, user as baseUser } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { SecurityPage } from "./SecurityPage";

let fetch: StubFetch;

const sessions = [
  {
    session_id: "s1",
    created_at: 1704067200,
    last_used_at: 1704070800,
    expires_at: 1706659200,
    ip: "10.0.0.1",
    user_agent: "Firefox",
    current: true,
  },
  {
    session_id: "s2",
    created_at: 1704153600,
    last_used_at: 1704157200,
    expires_at: 1706745600,
    ip: "10.0.0.2",
    user_agent: "Curl",
    current: false,
  },
];

beforeEach(() => {
  useSession.getState().signIn(login());
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/auth/sessions", () => json(sessions));
  fetch.on("GET /crm/auth/me", () => json({ user: baseUser, roles: [], permissions: [], customer_id: null }));
  return () => vi.unstubAllGlobals();
});

describe("SecurityPage", () => {
  it("sets up 2FA: QR and secret, confirm code, backup codes shown once", async () => {
    fetch.on("POST /crm/auth/2fa/setup", () =>
      json({
        secret: "JBSWY3DPEHPK3PXP",
        otpauth_uri: "otpauth://totp/x",
        qr_svg: "<svg xmlns='http://www.w3.org/2000/svg'/>",
      }),
    );
    fetch.on("POST /crm/auth/2fa/enable", async (r) => {
      const body = await r.json();
      if (body.password !== "my password")
        return errorBody(422, "validation_error", "password: is not correct", {
          errors: { json: { password: ["is not correct"] } },
        });
      return body.code === "123456"
        ? json({ backup_codes: ["aaaa-bbbb", "cccc-dddd"] })
        : errorBody(422, "invalid_code", "Invalid code", { errors: { json: { code: ["Invalid code"] } } });
    });
    renderRoutes(<SecurityPage />);
    const user = userEvent.setup();

    await user.click(screen.getByTestId("twofa-setup"));
    expect(await screen.findByTestId("twofa-secret")).toHaveTextContent("JBSWY3DPEHPK3PXP");
    expect(screen.getByTestId("twofa-qr")).toHaveAttribute("src", expect.stringMatching(/^data:image\/svg\+xml/));

    const firstDigit = screen.getAllByRole("textbox")[0] ?? screen.getAllByRole("spinbutton")[0];
    await user.click(firstDigit);
    await user.keyboard("123456");
    expect(screen.getByTestId("twofa-enable")).toBeDisabled(); // the password is asked too
    await user.type(screen.getByTestId("twofa-password"), "not my password");
    await user.click(screen.getByTestId("twofa-enable"));
    expect(await screen.findByText("Password is not correct")).toBeInTheDocument();
    expect(screen.getByTestId("twofa-password")).toHaveValue("");

    await user.type(screen.getByTestId("twofa-password"), "my password");
    await user.click(screen.getAllByRole("textbox")[0] ?? screen.getAllByRole("spinbutton")[0]);
    await user.keyboard("111111");
    await user.click(screen.getByTestId("twofa-enable"));
    expect(await screen.findByText("Invalid code")).toBeInTheDocument();

    await user.click(screen.getAllByRole("textbox")[0] ?? screen.getAllByRole("spinbutton")[0]);
    await user.keyboard("123456");
    await user.click(screen.getByTestId("twofa-enable"));

    expect(await screen.findByTestId("twofa-backup-codes")).toHaveTextContent("aaaa-bbbb");
    const calls = fetch.callsTo("POST /crm/auth/2fa/enable");
    expect(await calls[calls.length - 1].json()).toEqual({ code: "123456", password: "my password" });
    expect(useSession.getState().user?.is_2fa_enabled).toBe(true);
    await user.click(screen.getByRole("button", { name: "I have saved them" }));
    expect(screen.queryByTestId("twofa-backup-codes")).not.toBeInTheDocument();
    expect(screen.getByTestId("twofa-status")).toHaveTextContent("On");
  });

  it("lists sessions and revokes another one", async () => {
    fetch.on("DELETE /crm/auth/sessions/s2", () => new Response(null, { status: 204 }));
    renderRoutes(<SecurityPage />);
    const user = userEvent.setup();

    expect(await screen.findByText("This device")).toBeInTheDocument();
    const revoke = screen.getAllByRole("button", { name: "Revoke" });
    expect(revoke[0]).toBeDisabled(); // the current session
    await user.click(revoke[1]);

    await waitFor(() => expect(fetch.callsTo("DELETE /crm/auth/sessions/s2")).toHaveLength(1));
    await waitFor(() => expect(fetch.callsTo("GET /crm/auth/sessions").length).toBeGreaterThan(1));
  });
});

describe("SecurityPage with 2FA on", () => {
  it("disables 2FA with a code", async () => {
    useSession.getState().updateUser({ is_2fa_enabled: true });
    fetch.on("POST /crm/auth/2fa/disable", () => new Response(null, { status: 204 }));
    renderRoutes(<SecurityPage />);
    const user = userEvent.setup();

    expect(screen.getByTestId("twofa-status")).toHaveTextContent("On");
    await user.type(screen.getByTestId("twofa-disable-code"), "123456");
    await user.click(screen.getByTestId("twofa-disable"));

    await waitFor(() => expect(screen.getByTestId("twofa-status")).toHaveTextContent("Off"));
    expect(await fetch.callsTo("POST /crm/auth/2fa/disable")[0].json()).toEqual({ code: "123456" });
    expect(useSession.getState().user?.is_2fa_enabled).toBe(false);
  });
});

describe("SecurityPage backup codes", () => {
  it("replaces the backup codes with a current code and shows the new ones", async () => {
    useSession.getState().updateUser({ is_2fa_enabled: true });
    fetch.on("POST /crm/auth/2fa/backup-codes", () => json({ backup_codes: ["new1-new1", "new2-new2"] }));
    renderRoutes(<SecurityPage />);
    const user = userEvent.setup();

    await user.type(screen.getByTestId("twofa-disable-code"), "123456");
    await user.click(screen.getByTestId("twofa-regenerate"));

    expect(await screen.findByTestId("twofa-backup-codes")).toHaveTextContent("new1-new1");
    expect(useSession.getState().user?.is_2fa_enabled).toBe(true);
  });

  it("shows a wrong code under the input", async () => {
    useSession.getState().updateUser({ is_2fa_enabled: true });
    fetch.on("POST /crm/auth/2fa/disable", () =>
      errorBody(401, "totp_required", "the 2FA code is invalid or was already used"),
    );
    renderRoutes(<SecurityPage />);
    const user = userEvent.setup();

    await user.type(screen.getByTestId("twofa-disable-code"), "000000");
    await user.click(screen.getByTestId("twofa-disable"));

    expect(await screen.findByText("the 2FA code is invalid or was already used")).toBeInTheDocument();
    expect(useSession.getState().token).toBe("access-1"); // no refresh, still signed in
    expect(fetch.callsTo("POST /crm/auth/refresh")).toHaveLength(0);
  });
});
