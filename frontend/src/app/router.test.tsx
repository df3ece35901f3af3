import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { routes } from "./router";

let fetch: StubFetch;

const me = (permissions: string[]) => ({ user: login().user, roles: ["staff"], permissions, customer_id: null });

beforeEach(() => {
  useSession.getState().clear();
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/customer/", () =>
    json([customer()], { headers: { "X-Pagination": JSON.stringify({ total: 1, total_pages: 1, page: 1 }) } }),
  );
  return () => vi.unstubAllGlobals();
});

describe("staff routes", () => {
  it("sends a signed-out visitor to /login, then back where they were going", async () => {
    fetch.on("POST /crm/auth/login", () => json(login()));
    fetch.on("GET /crm/auth/me", () => json(me(login().permissions)));
    const { router } = renderRoutes(routes, "/customers?q=acme");

    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    const user = userEvent.setup();
    await user.type(screen.getByTestId("login-email"), "ada@example.com");
    await user.type(screen.getByTestId("login-password"), "pw");
    await user.click(screen.getByTestId("login-submit"));

    await waitFor(() => expect(router.state.location.pathname).toBe("/customers"));
    expect(router.state.location.search).toBe("?q=acme");
  });

  it("shows only the nav entries the user's permissions allow", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read"])));
    renderRoutes(routes, "/");

    expect(await screen.findByTestId("nav-customers")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-activity")).not.toBeInTheDocument();
    expect(await screen.findByTestId("customers-table")).toBeInTheDocument();
  });

  it("lists Reconciliation only with payment.reconcile, and Expiring cards with payment.read", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read", "payment.read"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read", "payment.read"])));
    const reader = renderRoutes(routes, "/customers");
    expect(await screen.findByTestId("nav-payments/dunning")).toBeInTheDocument();
    expect(screen.getByTestId("nav-payments/expiring-cards")).toHaveAttribute("href", "/payments/expiring-cards");
    expect(screen.queryByTestId("nav-payments/reconciliation")).not.toBeInTheDocument();
    // A payment's page is reached from links, not from the navbar.
    expect(screen.queryByTestId("nav-payments")).not.toBeInTheDocument();
    reader.unmount();

    useSession.getState().signIn(login({ permissions: ["customer.read", "payment.read", "payment.reconcile"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read", "payment.read", "payment.reconcile"])));
    renderRoutes(routes, "/customers");
    expect(await screen.findByTestId("nav-payments/reconciliation")).toHaveAttribute(
      "href",
      "/payments/reconciliation",
    );
  });

  it("lists the Outbox with notification.read, and opens /outbox/templates rather than a message", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read"])));
    const reader = renderRoutes(routes, "/customers");
    expect(await screen.findByTestId("nav-customers")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-outbox")).not.toBeInTheDocument();
    reader.unmount();

    useSession.getState().signIn(login({ permissions: ["customer.read", "notification.read"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read", "notification.read"])));
    fetch.on("GET /crm/notification/template/", () => json([]));
    renderRoutes(routes, "/outbox/templates");
    expect(await screen.findByTestId("nav-outbox")).toHaveAttribute("href", "/outbox");
    expect(await screen.findByTestId("templates-list")).toBeInTheDocument();
  });

  it("refuses the reconciliation pages without payment.reconcile", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read", "payment.read"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read", "payment.read"])));
    renderRoutes(routes, "/payments/reconciliation/12");
    expect(await screen.findByText("Not allowed")).toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/payment/reconciliation/12")).toHaveLength(0);
  });

  it("opens a payment's page under /payments/:paymentId beside the payments areas", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read", "payment.read"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read", "payment.read"])));
    fetch.on("GET /crm/payment/31", () => errorBody(404, "not_found", "payment 31 not found"));
    fetch.on("GET /crm/payment-method/expiring", () => json([]));
    fetch.on("GET /crm/payment/gateway", () => json({ gateway: "manual", card_payments: false }));
    const { router } = renderRoutes(routes, "/payments/31");
    expect(await screen.findByText("payment 31 not found")).toBeInTheDocument();
    await act(() => router.navigate("/payments/expiring-cards"));
    expect(await screen.findByText("No cards expire soon")).toBeInTheDocument();
  });

  it("lists Tickets with ticket.read; the board and a ticket's page open under /tickets", async () => {
    const perms = ["customer.read", "ticket.read"];
    useSession.getState().signIn(login({ permissions: perms }));
    fetch.on("GET /crm/auth/me", () => json(me(perms)));
    fetch.on("GET /crm/ticket/", () =>
      json([], { headers: { "X-Pagination": JSON.stringify({ total: 0, total_pages: 0, page: 1 }) } }),
    );
    fetch.on("GET /crm/ticket/5", () => errorBody(404, "not_found", "ticket 5 not found"));
    const { router } = renderRoutes(routes, "/tickets");
    expect(await screen.findByTestId("nav-tickets")).toHaveAttribute("href", "/tickets");
    expect(await screen.findAllByTestId("ticket-column")).toHaveLength(5);
    await act(() => router.navigate("/tickets/5"));
    expect(await screen.findByText("ticket 5 not found")).toBeInTheDocument();
  });

  it("refuses the tickets without ticket.read", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read"])));
    renderRoutes(routes, "/tickets");
    expect(await screen.findByText("Not allowed")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-tickets")).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/ticket/")).toHaveLength(0);
  });

  it("lists Users, Roles and API keys each with its permission only", async () => {
    fetch.on("GET /crm/user/", () => json([], { headers: { "X-Pagination": JSON.stringify({ total: 0 }) } }));
    const perms = ["customer.read", "user.read"];
    useSession.getState().signIn(login({ permissions: perms }));
    fetch.on("GET /crm/auth/me", () => json(me(perms)));
    const { router } = renderRoutes(routes, "/settings/users");
    expect(await screen.findByTestId("users-table")).toBeInTheDocument();
    expect(screen.getByTestId("nav-settings/users")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-settings/roles")).not.toBeInTheDocument();
    expect(screen.queryByTestId("nav-settings/api-keys")).not.toBeInTheDocument();
    await act(() => router.navigate("/settings/roles"));
    expect(await screen.findByText("Not allowed")).toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/role/")).toHaveLength(0);
  });

  it("opens the mailed links' pages signed out, outside the staff shell", async () => {
    fetch.on("POST /crm/auth/verify-email/confirm", () => json({ message: "e-mail verified" }));
    renderRoutes(routes, "/reset-password?token=abcdefghijkl");
    expect(await screen.findByTestId("reset-password")).toBeInTheDocument();
    expect(screen.queryByTestId("user-menu")).not.toBeInTheDocument();
    renderRoutes(routes, "/verify-email?token=abcdefghijkl");
    expect(await screen.findByTestId("verify-done")).toBeInTheDocument();
  });

  it("lists Imports with import.write and opens the upload page; refuses it without", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read"])));
    const reader = renderRoutes(routes, "/imports");
    expect(await screen.findByText("Not allowed")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-imports")).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/import/")).toHaveLength(0);
    reader.unmount();

    const perms = ["customer.read", "import.write"];
    useSession.getState().signIn(login({ permissions: perms }));
    fetch.on("GET /crm/auth/me", () => json(me(perms)));
    fetch.on("GET /crm/import/", () =>
      json([], { headers: { "X-Pagination": JSON.stringify({ total: 0, total_pages: 0, page: 1 }) } }),
    );
    renderRoutes(routes, "/imports");
    expect(await screen.findByTestId("nav-imports")).toHaveAttribute("href", "/imports");
    expect(await screen.findByTestId("imports-upload")).toBeInTheDocument();
    expect(await screen.findByText("No imports yet")).toBeInTheDocument();
  });

  it("opens the stock import page only with inventory.write and import.write", async () => {
    const writer = ["inventory.read", "inventory.write"];
    useSession.getState().signIn(login({ permissions: writer }));
    fetch.on("GET /crm/auth/me", () => json(me(writer)));
    fetch.on("GET /crm/inventory/template/", () => json([]));
    const reader = renderRoutes(routes, "/inventory/import");
    expect(await screen.findByText("Not allowed")).toBeInTheDocument();
    reader.unmount();

    const importer = [...writer, "import.write"];
    useSession.getState().signIn(login({ permissions: importer }));
    fetch.on("GET /crm/auth/me", () => json(me(importer)));
    renderRoutes(routes, "/inventory/import");
    expect(await screen.findByTestId("import-upload")).toBeInTheDocument();
    expect(screen.getByTestId("import-template")).toBeInTheDocument();
  });

  it("refuses a page the user may not open", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read"])));
    renderRoutes(routes, "/activity");
    expect(await screen.findByText("Not allowed")).toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/activity/")).toHaveLength(0);
  });

  it("applies permissions fetched from /me over the stored ones", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read", "activity.read"])));
    renderRoutes(routes, "/customers");
    expect(await screen.findByTestId("nav-activity")).toBeInTheDocument();
  });

  it("goes to /login when the token expired and the refresh is refused", async () => {
    useSession.getState().signIn(login());
    fetch.on("GET /crm/auth/me", () => errorBody(401, "token_expired"));
    fetch.on("GET /crm/customer/", () => errorBody(401, "token_expired"));
    fetch.on("POST /crm/auth/refresh", () => errorBody(401, "token_revoked"));
    const { router } = renderRoutes(routes, "/customers");

    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    expect(useSession.getState().token).toBeNull();
    expect(fetch.callsTo("POST /crm/auth/refresh")).toHaveLength(1);
  });

  it("logs out from the user menu", async () => {
    useSession.getState().signIn(login());
    fetch.on("GET /crm/auth/me", () => json(me(login().permissions)));
    fetch.on("POST /crm/auth/logout", () => new Response(null, { status: 204 }));
    const { router } = renderRoutes(routes, "/customers");
    const user = userEvent.setup();

    await user.click(await screen.findByTestId("user-menu"));
    await user.click(await screen.findByTestId("logout-all"));

    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    const logout = fetch.callsTo("POST /crm/auth/logout")[0];
    expect(new URL(logout.url).searchParams.get("all")).toBe("true");
    expect(logout.headers.get("Authorization")).toBe("Bearer access-1");
    expect(useSession.getState().token).toBeNull();
  });
});

describe("session expiry", () => {
  const signInAgain = async () => {
    const user = userEvent.setup();
    await user.type(screen.getByTestId("login-email"), "ada@example.com");
    await user.type(screen.getByTestId("login-password"), "pw");
    await user.click(screen.getByTestId("login-submit"));
  };

  it("says the session ended, then returns to the page the user was on", async () => {
    useSession.getState().signIn(login());
    let signedIn = false;
    fetch.on("GET /crm/auth/me", () => (signedIn ? json(me(login().permissions)) : errorBody(401, "token_expired")));
    fetch.on("GET /crm/customer/", () =>
      signedIn
        ? json([customer()], { headers: { "X-Pagination": JSON.stringify({ total: 1, total_pages: 1, page: 1 }) } })
        : errorBody(401, "token_expired"),
    );
    fetch.on("POST /crm/auth/refresh", () => errorBody(401, "token_revoked"));
    fetch.on("POST /crm/auth/login", () => {
      signedIn = true;
      return json(login());
    });
    const { router } = renderRoutes(routes, "/customers?q=acme");

    expect(await screen.findByTestId("login-session-expired")).toHaveTextContent(
      "Your session has ended. Sign in again to continue.",
    );
    expect(router.state.location.pathname).toBe("/login");
    expect(new URLSearchParams(router.state.location.search).get("next")).toBe("/customers?q=acme");

    await signInAgain();

    await waitFor(() => expect(router.state.location.pathname).toBe("/customers"));
    expect(router.state.location.search).toBe("?q=acme");
    expect(useSession.getState().expired).toBe(false);
    expect(await screen.findByTestId("customers-table")).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Customers · OmniCRM"));
  });

  it("returns to ?next after /login was reloaded (no router state)", async () => {
    useSession.getState().expire();
    fetch.on("POST /crm/auth/login", () => json(login()));
    fetch.on("GET /crm/auth/me", () => json(me(login().permissions)));
    const { router } = renderRoutes(routes, `/login?next=${encodeURIComponent("/customers?q=acme")}`);

    expect(await screen.findByTestId("login-session-expired")).toBeInTheDocument();
    await signInAgain();

    await waitFor(() => expect(router.state.location.pathname).toBe("/customers"));
    expect(router.state.location.search).toBe("?q=acme");
  });

  it.each(["//evil.example", "https://evil.example", "javascript:alert(1)", "/\\evil.example"])(
    "ignores ?next=%s and goes home",
    async (next) => {
      fetch.on("POST /crm/auth/login", () => json(login()));
      fetch.on("GET /crm/auth/me", () => json(me(login().permissions)));
      const { router } = renderRoutes(routes, `/login?next=${encodeURIComponent(next)}`);

      await signInAgain();

      // "/" then opens the first allowed area.
      await waitFor(() => expect(router.state.location.pathname).toBe("/customers"));
      expect(router.state.location.search).toBe("");
    },
  );

  it("shows no session message after a deliberate log out", async () => {
    useSession.getState().signIn(login());
    fetch.on("GET /crm/auth/me", () => json(me(login().permissions)));
    fetch.on("POST /crm/auth/logout", () => new Response(null, { status: 204 }));
    const { router } = renderRoutes(routes, "/customers");
    const user = userEvent.setup();

    await user.click(await screen.findByTestId("user-menu"));
    await user.click(await screen.findByTestId("logout"));

    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    expect(await screen.findByTestId("login-submit")).toBeInTheDocument();
    expect(screen.queryByTestId("login-session-expired")).not.toBeInTheDocument();
  });
});

describe("page titles", () => {
  it("names the tab after the page: the list, then the record", async () => {
    useSession.getState().signIn(login());
    fetch.on("GET /crm/auth/me", () => json(me(login().permissions)));
    fetch.on("GET /crm/customer/7", () => json(customer({ customer_name: "Jane Doe" })));
    const { router } = renderRoutes(routes, "/customers");

    expect(await screen.findByTestId("customers-table")).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Customers · OmniCRM"));

    await act(() => router.navigate("/customers/7"));
    await waitFor(() => expect(document.title).toBe("Customer Jane Doe · OmniCRM"));

    await act(() => router.navigate("/nowhere"));
    await waitFor(() => expect(document.title).toBe("Page not found · OmniCRM"));
  });
});
