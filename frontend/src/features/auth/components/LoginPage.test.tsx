import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { LoginPage } from "./LoginPage";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().clear();
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  return () => vi.unstubAllGlobals();
});

function renderLogin() {
  return renderRoutes(
    [
      { path: "/login", element: <LoginPage /> },
      { path: "/", element: <p>home</p> },
    ],
    "/login",
  );
}

async function signIn(user = userEvent.setup()) {
  await user.type(screen.getByTestId("login-email"), "ada@example.com");
  await user.type(screen.getByTestId("login-password"), "s3cret!");
  await user.click(screen.getByTestId("login-submit"));
  return user;
}

describe("LoginPage", () => {
  it("signs in and stores the session", async () => {
    fetch.on("POST /crm/auth/login", () => json(login()));
    const { router } = renderLogin();

    await signIn();

    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
    expect(await fetch.calls[0].json()).toEqual({ email: "ada@example.com", password: "s3cret!" });
    expect(useSession.getState()).toMatchObject({ token: "access-1", refreshToken: "refresh-1" });
  });

  it("asks for a 2FA code when told, and sends it with the credentials", async () => {
    fetch.on("POST /crm/auth/login", async (r) => {
      const body = await r.json();
      if (!body.totp) return errorBody(401, "totp_required", "Two-factor code required");
      if (body.totp !== "123456") return errorBody(401, "totp_required", "Invalid code");
      return json(login());
    });
    const { router } = renderLogin();

    const user = await signIn();
    const totp = await screen.findByTestId("login-totp");
    await user.type(totp, "654321");
    await user.click(screen.getByTestId("login-submit"));
    expect(await screen.findByText("That code is not valid. Try again.")).toBeInTheDocument();

    await user.type(screen.getByTestId("login-totp"), "123456");
    await user.click(screen.getByTestId("login-submit"));

    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
    expect(await fetch.calls.at(-1)!.json()).toEqual({ email: "ada@example.com", password: "s3cret!", totp: "123456" });
  });

  it("accepts a backup code in the 2FA step", async () => {
    fetch.on("POST /crm/auth/login", async (r) =>
      (await r.json()).totp === "ab12-cd34" ? json(login()) : errorBody(401, "totp_required"),
    );
    const { router } = renderLogin();
    const user = await signIn();
    await user.type(await screen.findByTestId("login-totp"), "ab12-cd34");
    await user.click(screen.getByTestId("login-submit"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
  });

  it("says so on wrong credentials", async () => {
    fetch.on("POST /crm/auth/login", () => errorBody(401, "invalid_credentials", "Invalid email or password"));
    renderLogin();
    await signIn();
    expect(await screen.findByTestId("login-error")).toHaveTextContent("Invalid email or password.");
    expect(useSession.getState().token).toBeNull();
  });

  it("shows the Retry-After wait when rate limited and blocks submitting", async () => {
    fetch.on("POST /crm/auth/login", () =>
      errorBody(429, "rate_limited", "Too many requests", {}, { "Retry-After": "30" }),
    );
    renderLogin();
    await signIn();
    expect(await screen.findByTestId("login-rate-limited")).toHaveTextContent("Too many attempts, try again in 30 s");
    expect(screen.getByTestId("login-submit")).toBeDisabled();
  });

  it("validates the form before calling the API", async () => {
    renderLogin();
    const user = userEvent.setup();
    await user.type(screen.getByTestId("login-email"), "not-an-email");
    await user.click(screen.getByTestId("login-submit"));
    expect(await screen.findByText("Enter a valid email")).toBeInTheDocument();
    expect(screen.getByText("Enter your password")).toBeInTheDocument();
    expect(fetch.calls).toHaveLength(0);
  });
});
