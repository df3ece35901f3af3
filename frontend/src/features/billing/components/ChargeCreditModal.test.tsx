import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useState } from "react";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { service } from "@/test/services";
import { billingKeys } from "../api";
import { page, transaction } from "../testData";
import { ChargeCreditModal } from "./ChargeCreditModal";

let fetch: StubFetch;
const onClose = vi.fn();

beforeEach(() => {
  onClose.mockReset();
  useSession.getState().signIn(login({ permissions: ["transaction.read", "transaction.write", "service.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/service/", () => page([service({ service_id: 21, service_name: "Mobile 10GB" })]));
  fetch.on("POST /crm/transaction/", async (r) => {
    const body = await r.json();
    return json(transaction({ ...body, amount: body.kind === "credit" ? `-${body.amount}` : body.amount }), {
      status: 201,
    });
  });
  return () => vi.unstubAllGlobals();
});

const renderModal = () => renderRoutes(<ChargeCreditModal opened onClose={onClose} customerId={7} currency="USD" />);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The dialog behind a button, as the Billing tab opens it: each opening is a new form. */
function Opener() {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpened(true)}>
        open
      </button>
      <ChargeCreditModal opened={opened} onClose={() => setOpened(false)} customerId={7} currency="USD" />
    </>
  );
}

const keysSent = () => fetch.callsTo("POST /crm/transaction/").map((r) => r.headers.get("Idempotency-Key"));

describe("ChargeCreditModal", () => {
  it("refuses a blank description and a bad amount or tax rate before sending anything", async () => {
    renderModal();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("charge-submit"));
    expect(await screen.findByText("Say what it is for")).toBeInTheDocument();
    expect(screen.getByText("Enter an amount")).toBeInTheDocument();

    await user.type(screen.getByTestId("charge-description"), "Late fee");
    await user.type(screen.getByTestId("charge-amount"), "12.505050");
    await user.type(screen.getByTestId("charge-tax"), "150");
    await user.click(screen.getByTestId("charge-submit"));
    expect(await screen.findByText("At most 4 decimal places")).toBeInTheDocument();
    expect(screen.getByText("A rate from 0 to 100, at most 2 decimal places")).toBeInTheDocument();

    await user.clear(screen.getByTestId("charge-amount"));
    await user.type(screen.getByTestId("charge-amount"), "0.00");
    await user.click(screen.getByTestId("charge-submit"));
    expect(await screen.findByText("The amount must be above 0")).toBeInTheDocument();

    await user.clear(screen.getByTestId("charge-amount"));
    await user.type(screen.getByTestId("charge-amount"), "-5");
    await user.click(screen.getByTestId("charge-submit"));
    expect(await screen.findByText("Enter a positive number such as 12.50")).toBeInTheDocument();

    await user.clear(screen.getByTestId("charge-amount"));
    await user.type(screen.getByTestId("charge-amount"), "1000000");
    await user.click(screen.getByTestId("charge-submit"));
    expect(await screen.findByText("The amount must be below 1,000,000")).toBeInTheDocument();

    expect(fetch.callsTo("POST /crm/transaction/")).toHaveLength(0);
  });

  it("posts a charge with the amount as a decimal string and leaves blank options out", async () => {
    renderModal();
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("charge-description"), "  Late fee ");
    await user.type(screen.getByTestId("charge-amount"), "007.50");
    await user.click(screen.getByTestId("charge-submit"));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(await fetch.callsTo("POST /crm/transaction/")[0].json()).toEqual({
      customer_id: 7,
      kind: "charge",
      description: "Late fee",
      amount: "7.50",
    });
    expect(keysSent()).toEqual([expect.stringMatching(UUID)]);
    expect(await screen.findByText(/Charge of 7.50 USD added/)).toBeInTheDocument();
  });

  it("posts a credit for a service with its own tax rate", async () => {
    renderModal();
    const user = userEvent.setup();
    await user.click(await screen.findByText("Credit (we owe)"));
    await user.type(screen.getByTestId("charge-description"), "Outage goodwill");
    await user.type(screen.getByTestId("charge-amount"), "5");
    await user.click(screen.getByTestId("charge-service"));
    await user.click(await screen.findByRole("option", { name: "Mobile 10GB (#21)", hidden: true }));
    await user.type(screen.getByTestId("charge-tax"), "10.5");
    await user.click(screen.getByTestId("charge-submit"));

    await waitFor(() => expect(fetch.callsTo("POST /crm/transaction/")).toHaveLength(1));
    expect(await fetch.callsTo("POST /crm/transaction/")[0].json()).toEqual({
      customer_id: 7,
      kind: "credit",
      description: "Outage goodwill",
      amount: "5",
      service_id: 21,
      tax_percentage: "10.5",
    });
    expect(await screen.findByText(/Credit of 5.00 USD added/)).toBeInTheDocument();
  });

  it("shows the API's field errors under the inputs and other errors above the form", async () => {
    fetch.on("POST /crm/transaction/", () =>
      errorBody(422, "validation_error", "Invalid", {
        errors: { json: { service_id: ["Service 99 is not this customer's."] } },
      }),
    );
    renderModal();
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("charge-description"), "Fee");
    await user.type(screen.getByTestId("charge-amount"), "1");
    await user.click(screen.getByTestId("charge-submit"));
    expect(await screen.findByText("Service 99 is not this customer's.")).toBeInTheDocument();

    fetch.on("POST /crm/transaction/", () => errorBody(404, "not_found", "customer 7 not found"));
    await user.click(screen.getByTestId("charge-submit"));
    expect(await screen.findByTestId("charge-error")).toHaveTextContent("customer 7 not found");
    expect(onClose).not.toHaveBeenCalled();
  });

  it("keeps the Idempotency-Key for a retry within one opening and makes a new one for the next", async () => {
    let attempts = 0;
    fetch.on("POST /crm/transaction/", async (r) => {
      attempts += 1;
      if (attempts === 1) return errorBody(503, "unavailable", "Try again shortly");
      return json(transaction({ ...(await r.json()), transaction_id: 100 + attempts }), { status: 201 });
    });
    renderRoutes(<Opener />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "open" }));
    await user.type(await screen.findByTestId("charge-description"), "Late fee");
    await user.type(screen.getByTestId("charge-amount"), "5");
    await user.click(screen.getByTestId("charge-submit"));
    expect(await screen.findByTestId("charge-error")).toHaveTextContent("Try again shortly");
    // The retry is the same submission: same key, same body (the API replays, never charges twice).
    await user.click(screen.getByTestId("charge-submit"));
    await waitFor(() => expect(screen.queryByTestId("charge-form")).not.toBeInTheDocument());

    await user.click(screen.getByRole("button", { name: "open" }));
    await user.type(await screen.findByTestId("charge-description"), "Late fee");
    await user.type(screen.getByTestId("charge-amount"), "5");
    await user.click(screen.getByTestId("charge-submit"));
    await waitFor(() => expect(fetch.callsTo("POST /crm/transaction/")).toHaveLength(3));
    await waitFor(() => expect(screen.queryByTestId("charge-form")).not.toBeInTheDocument());

    const posts = fetch.callsTo("POST /crm/transaction/");
    const bodies = await Promise.all(posts.map((r) => r.json()));
    expect(bodies[1]).toEqual(bodies[0]);
    const keys = keysSent();
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toMatch(UUID);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("explains a reused key (the first attempt was written) and reads the transactions again", async () => {
    fetch.on("POST /crm/transaction/", () =>
      errorBody(422, "idempotency_key_reused", "this Idempotency-Key was used for another transaction", {
        transaction_id: 140,
      }),
    );
    const { queryClient } = renderModal();
    const listed = billingKeys.transactionList({ customer_id: 7 });
    queryClient.setQueryData(listed, { items: [], pagination: { total: 0, total_pages: 0, page: 1 } });
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("charge-description"), "Late fee");
    await user.type(screen.getByTestId("charge-amount"), "6");
    await user.click(screen.getByTestId("charge-submit"));
    expect(await screen.findByTestId("charge-error")).toHaveTextContent(
      "This dialog already added a transaction (#140) with other details",
    );
    expect(onClose).not.toHaveBeenCalled();
    // That transaction exists: the lists that show it are read again.
    expect(queryClient.getQueryState(listed)?.isInvalidated).toBe(true);
  });

  it("offers no service picker without service.read", async () => {
    useSession.setState({ permissions: ["transaction.write"] });
    renderModal();
    await screen.findByTestId("charge-description");
    expect(screen.queryByTestId("charge-service")).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/service/")).toHaveLength(0);
  });
});
