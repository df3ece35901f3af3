import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login, user as baseUser } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ChangePasswordCard } from "./ChangePasswordCard";
import { ForgotPasswordPage } from "./ForgotPasswordPage";
import { LoginPage } from "./LoginPage";
import { ResetPasswordPage } from "./ResetPasswordPage";
import { VerifyEmailPage } from "./VerifyEmailPage";

let fetch: StubFetch;
const TOKEN = "tok_abcdefghijklmnop";
const invalidToken = () =>
  errorBody(422, "validation_error", "token: invalid, used or expired token", {
    errors: { json: { token: ["invalid, used or expired token"] } },
  });

beforeEach(() => {
  useSession.getState().clear();
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  return () => vi.unstubAllGlobals();
});

const publicRoutes = [
  { path: "/login", element: <LoginPage /> },
  { path: "/forgot-password", element: <ForgotPasswordPage /> },
  { path: "/reset-password", element: <ResetPasswordPage /> },
  { path: "/verify-email", element: <VerifyEmailPage /> },
];

describe("ForgotPasswordPage", () => {
  it("is linked from the login page, validates the address and says a link is on its way", async () => {
    fetch.on("POST /crm/auth/password/forgot", () => json({ message: "ok" }, { status: 202 }));
    const { router } = renderRoutes(publicRoutes, "/login");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("login-forgot"));
    expect(router.state.location.pathname).toBe("/forgot-password");
    expect(document.title).toBe("Forgot password · OmniCRM");

    await user.type(screen.getByTestId("forgot-email"), "nope");
    await user.click(screen.getByTestId("forgot-submit"));
    expect(await screen.findByText("Enter a valid e-mail address")).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/auth/password/forgot")).toHaveLength(0);

    await user.clear(screen.getByTestId("forgot-email"));
    await user.type(screen.getByTestId("forgot-email"), "ada@example.com");
    await user.click(screen.getByTestId("forgot-submit"));
    expect(await screen.findByTestId("forgot-sent")).toHaveTextContent("ada@example.com");
    expect(await fetch.callsTo("POST /crm/auth/password/forgot")[0]!.json()).toEqual({ email: "ada@example.com" });
  });
});

describe("ResetPasswordPage", () => {
  it("sends the token from the link with the new password, then shows the login page with a notice", async () => {
    fetch.on("POST /crm/auth/password/reset", () => json({ message: "password changed" }));
    const { router } = renderRoutes(publicRoutes, `/reset-password?token=${TOKEN}`);
    const user = userEvent.setup();

    await user.type(await screen.findByTestId("reset-password"), "short");
    await user.type(screen.getByTestId("reset-confirm"), "different");
    await user.click(screen.getByTestId("reset-submit"));
    expect(await screen.findByText("At least 8 characters")).toBeInTheDocument();
    expect(screen.getByText("The passwords do not match")).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/auth/password/reset")).toHaveLength(0);

    await user.clear(screen.getByTestId("reset-password"));
    await user.type(screen.getByTestId("reset-password"), "a long new password");
    await user.clear(screen.getByTestId("reset-confirm"));
    await user.type(screen.getByTestId("reset-confirm"), "a long new password");
    await user.click(screen.getByTestId("reset-submit"));

    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    expect(await screen.findByTestId("login-notice")).toHaveTextContent("Your password is set");
    expect(await fetch.callsTo("POST /crm/auth/password/reset")[0]!.json()).toEqual({
      token: TOKEN,
      password: "a long new password",
    });
  });

  it("says clearly when the link is expired or used, and offers a new one", async () => {
    fetch.on("POST /crm/auth/password/reset", invalidToken);
    renderRoutes(publicRoutes, `/reset-password?token=${TOKEN}`);
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("reset-password"), "a long new password");
    await user.type(screen.getByTestId("reset-confirm"), "a long new password");
    await user.click(screen.getByTestId("reset-submit"));
    expect(await screen.findByTestId("reset-invalid")).toHaveTextContent("has expired");
    expect(screen.getByTestId("reset-request-new")).toHaveAttribute("href", "/forgot-password");
  });

  it("shows the server's password policy reason under the input", async () => {
    fetch.on("POST /crm/auth/password/reset", () =>
      errorBody(422, "validation_error", "password: is too simple", {
        errors: { json: { password: ["is too simple"] } },
      }),
    );
    renderRoutes(publicRoutes, `/reset-password?token=${TOKEN}`);
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("reset-password"), "aaaaaaaaaa");
    await user.type(screen.getByTestId("reset-confirm"), "aaaaaaaaaa");
    await user.click(screen.getByTestId("reset-submit"));
    expect(await screen.findByText("Password is too simple")).toBeInTheDocument();
  });

  it("refuses a link without a token at once", async () => {
    renderRoutes(publicRoutes, "/reset-password");
    expect(await screen.findByTestId("reset-invalid")).toBeInTheDocument();
  });
});

describe("VerifyEmailPage", () => {
  it("confirms the token once and says so", async () => {
    fetch.on("POST /crm/auth/verify-email/confirm", () => json({ message: "e-mail verified" }));
    renderRoutes(publicRoutes, `/verify-email?token=${TOKEN}`);
    expect(await screen.findByTestId("verify-done")).toHaveTextContent("verified");
    expect(fetch.callsTo("POST /crm/auth/verify-email/confirm")).toHaveLength(1);
    expect(screen.getByTestId("verify-login")).toHaveAttribute("href", "/login");
  });

  it("says so when the token is invalid", async () => {
    fetch.on("POST /crm/auth/verify-email/confirm", invalidToken);
    renderRoutes(publicRoutes, `/verify-email?token=${TOKEN}`);
    expect(await screen.findByTestId("verify-invalid")).toHaveTextContent("expired");
  });
});

describe("ChangePasswordCard", () => {
  beforeEach(() => {
    useSession.getState().signIn(login());
    fetch.on("GET /crm/auth/me", () => json({ user: baseUser, roles: [], permissions: [], customer_id: null }));
  });

  it("validates, shows a wrong current password under its input, and says other sessions ended", async () => {
    let calls = 0;
    fetch.on("POST /crm/auth/password/change", () =>
      ++calls === 1
        ? errorBody(422, "validation_error", "current_password: is not correct", {
            errors: { json: { current_password: ["is not correct"] } },
          })
        : json({ message: "password changed" }),
    );
    renderRoutes(<ChangePasswordCard />);
    const user = userEvent.setup();
    await user.click(screen.getByTestId("password-submit"));
    expect(await screen.findByText("Enter your current password")).toBeInTheDocument();

    await user.type(screen.getByTestId("password-current"), "old password");
    await user.type(screen.getByTestId("password-new"), "a new password");
    await user.type(screen.getByTestId("password-confirm"), "a new password");
    await user.click(screen.getByTestId("password-submit"));
    expect(await screen.findByText("is not correct")).toBeInTheDocument();

    await user.click(screen.getByTestId("password-submit"));
    expect(await screen.findByTestId("password-changed")).toHaveTextContent("signed out on every other device");
    expect(screen.getByTestId("password-current")).toHaveValue("");
  });
});
