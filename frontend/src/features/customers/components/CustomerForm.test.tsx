import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { CustomerForm } from "./CustomerFormModal";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login());
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/customer/defaults", () => json({ currency: "AUD", phone_region: "AU" }));
  return () => vi.unstubAllGlobals();
});

function renderForm(props: Partial<Parameters<typeof CustomerForm>[0]> = {}) {
  const onDone = vi.fn();
  const onCancel = vi.fn();
  const view = renderRoutes(
    [
      { path: "/", element: <CustomerForm onDone={onDone} onCancel={onCancel} {...props} /> },
      { path: "/customers/:id", element: <p>customer page</p> },
    ],
    "/",
  );
  return { ...view, onDone, onCancel };
}

describe("CustomerForm", () => {
  it("creates a customer with only the filled-in fields", async () => {
    fetch.on("POST /crm/customer/", async (r) => json(customer(await r.json()), { status: 201 }));
    const { onDone } = renderForm();
    const user = userEvent.setup();

    // The currency starts as the operator's default, read from the API (not a hard-coded USD).
    await waitFor(() => expect(screen.getByTestId("customer-currency")).toHaveValue("AUD"));
    await user.type(screen.getByTestId("customer-name"), "  Acme Telecom ");
    await user.type(screen.getByTestId("customer-email"), "ops@acme.test");
    await user.click(screen.getByTestId("customer-submit"));

    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const post = fetch.callsTo("POST /crm/customer/")[0];
    expect(await post.json()).toEqual({
      customer_name: "Acme Telecom",
      customer_account_type: "Individual",
      customer_payment_type: "prepaid",
      customer_enabled: true,
      currency: "AUD",
      email: "ops@acme.test",
      tags: [],
    });
    expect(post.headers.get("Authorization")).toBe("Bearer access-1");
  });

  it("leaves the currency to the server when the defaults cannot be read", async () => {
    fetch.on("GET /crm/customer/defaults", () => errorBody(500, "internal", "down"));
    fetch.on("POST /crm/customer/", async (r) => json(customer(await r.json()), { status: 201 }));
    const { onDone } = renderForm();
    const user = userEvent.setup();
    await user.type(screen.getByTestId("customer-name"), "Beta");
    await user.click(screen.getByTestId("customer-submit"));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(await fetch.callsTo("POST /crm/customer/")[0].json()).not.toHaveProperty("currency");
  });

  it("shows the API's 422 field errors under the inputs", async () => {
    fetch.on("POST /crm/customer/", () =>
      errorBody(422, "validation_error", "Unprocessable Entity", {
        errors: { json: { phone: ["Not a valid phone number."], email: ["Domain does not accept mail."] } },
      }),
    );
    const { onDone } = renderForm();
    const user = userEvent.setup();

    await user.type(screen.getByTestId("customer-name"), "Acme");
    await user.type(screen.getByTestId("customer-email"), "a@nowhere.test");
    await user.type(screen.getByTestId("customer-phone"), "12");
    await user.click(screen.getByTestId("customer-submit"));

    expect(await screen.findByText("Not a valid phone number.")).toBeInTheDocument();
    expect(screen.getByText("Domain does not accept mail.")).toBeInTheDocument();
    expect(screen.getByTestId("customer-phone")).toHaveAttribute("aria-invalid", "true");
    expect(onDone).not.toHaveBeenCalled();
  });

  it("links to the existing customer on a duplicate (409)", async () => {
    fetch.on("POST /crm/customer/", () =>
      errorBody(409, "duplicate_customer", "A customer with this email exists", { existing_customer_id: 12 }),
    );
    const { router } = renderForm();
    const user = userEvent.setup();

    await user.type(screen.getByTestId("customer-name"), "Acme");
    await user.type(screen.getByTestId("customer-email"), "ops@acme.test");
    await user.click(screen.getByTestId("customer-submit"));

    const alert = await screen.findByTestId("customer-duplicate");
    const link = screen.getByRole("link", { name: "Open customer #12" });
    expect(alert).toContainElement(link);
    await user.click(link);
    expect(router.state.location.pathname).toBe("/customers/12");
  });

  it("validates required fields and email format locally", async () => {
    renderForm();
    const user = userEvent.setup();
    await user.type(screen.getByTestId("customer-email"), "nope");
    await user.click(screen.getByTestId("customer-submit"));
    expect(await screen.findByText("Enter the customer's name")).toBeInTheDocument();
    expect(screen.getByText("Enter a valid email")).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/customer/")).toHaveLength(0);
  });

  it("edits: PATCHes every field, clearing emptied ones with null", async () => {
    const existing = customer({ tax_identifier: "GB123" });
    fetch.on("PATCH /crm/customer/7", async (r) => json({ ...existing, ...(await r.json()) }));
    const { onDone } = renderForm({ customer: existing });
    const user = userEvent.setup();

    expect(screen.getByTestId("customer-name")).toHaveValue("Acme Telecom");
    await user.clear(screen.getByTestId("customer-tax-id"));
    await user.click(screen.getByTestId("customer-submit"));

    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(await fetch.calls[0].json()).toMatchObject({
      customer_name: "Acme Telecom",
      customer_status: "Open",
      tax_identifier: null,
      email: "ops@acme.test",
      tags: ["vip"],
    });
  });
});
