import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ticketKeys } from "../api";
import { page, ticketDetail } from "../testData";
import { NewTicketModal } from "./NewTicketModal";

let fetch: StubFetch;
const onClose = vi.fn();

beforeEach(() => {
  onClose.mockReset();
  useSession
    .getState()
    .signIn(login({ permissions: ["ticket.read", "ticket.write", "customer.read", "service.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/customer/", () => page([customer(), customer({ customer_id: 8, customer_name: "Globex" })]));
  fetch.on("GET /crm/customer/7", () => json(customer()));
  fetch.on("GET /crm/service/", () =>
    page([
      { service_id: 21, service_name: "Mobile 10GB", customer_id: 7 },
      { service_id: 22, service_name: "Fibre 1G", customer_id: 7 },
    ]),
  );
  return () => vi.unstubAllGlobals();
});

const renderModal = (customerId?: number) =>
  renderRoutes(<NewTicketModal opened onClose={onClose} customerId={customerId} />);
const posts = () => fetch.callsTo("POST /crm/ticket/");

describe("NewTicketModal", () => {
  it("needs a customer and a subject before anything is sent", async () => {
    renderModal();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("ticket-new-submit"));
    expect(await screen.findByText("Choose the customer")).toBeInTheDocument();
    expect(screen.getByText("A subject is required")).toBeInTheDocument();
    expect(posts()).toHaveLength(0);
    // Without a customer, there are no services to pick from.
    expect(screen.getByTestId("ticket-new-service")).toBeDisabled();
  });

  it("opens a ticket for the customer searched for, with its service, tags and assignee", async () => {
    fetch.on("POST /crm/ticket/", () => json(ticketDetail({ ticket_id: 12, subject: "No data" }), { status: 201 }));
    const { queryClient } = renderModal();
    const user = userEvent.setup();

    await user.click(await screen.findByTestId("ticket-new-customer"));
    await user.type(screen.getByTestId("ticket-new-customer"), "Acm");
    await waitFor(() =>
      expect(fetch.callsTo("GET /crm/customer/").some((r) => new URL(r.url).searchParams.get("q") === "Acm")).toBe(
        true,
      ),
    );
    await user.click(await screen.findByRole("option", { name: "Acme Telecom", hidden: true }));

    await user.type(screen.getByTestId("ticket-new-subject"), "  No data ");
    await user.type(screen.getByTestId("ticket-new-description"), "Since Monday.");
    await user.click(screen.getByTestId("ticket-new-priority"));
    await user.click(await screen.findByRole("option", { name: "High", hidden: true }));
    await user.type(screen.getByTestId("ticket-new-category"), "mobile");
    await user.type(screen.getByTestId("ticket-new-team"), "noc");
    await user.type(screen.getByTestId("ticket-new-tags"), "sim{Enter}Roaming{Enter}");
    await user.click(screen.getByTestId("ticket-new-service"));
    await user.click(await screen.findByRole("option", { name: "Fibre 1G (#22)", hidden: true }));
    await user.click(screen.getByTestId("ticket-new-assignee"));
    await user.click(await screen.findByRole("option", { name: "Ada Lovelace (me)", hidden: true }));
    await user.click(screen.getByTestId("ticket-new-submit"));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(await posts()[0].json()).toEqual({
      customer_id: 7,
      subject: "No data",
      description: "Since Monday.",
      priority: "high",
      category: "mobile",
      team: "noc",
      tags: ["sim", "roaming"],
      service_id: 22,
      assignee_user_id: 1,
      customer_visible: true,
    });
    expect(new URL(fetch.callsTo("GET /crm/service/")[0].url).searchParams.get("customer_id")).toBe("7");
    expect(await screen.findByText("Ticket #12 opened: No data.")).toBeInTheDocument();
    expect(queryClient.getQueryData(ticketKeys.detail(12))).toMatchObject({ ticket_id: 12 });
  });

  it("shows the API's 422 field errors under their inputs", async () => {
    fetch.on("POST /crm/ticket/", () =>
      errorBody(422, "validation_error", "Invalid", {
        errors: {
          json: {
            service_id: ["service 22 is not one of customer 7's"],
            assignee_user_id: ["user 1 is not active staff who can work tickets"],
            tags: { "0": ["Lower-case letters, digits, -."] },
          },
        },
      }),
    );
    renderModal(7);
    const user = userEvent.setup();
    // Opened from the customer's page: the customer is set and fixed.
    await waitFor(() => expect(screen.getByTestId("ticket-new-customer")).toHaveValue("Acme Telecom"));
    expect(screen.getByTestId("ticket-new-customer")).toBeDisabled();

    await user.type(screen.getByTestId("ticket-new-subject"), "Slow line");
    await user.click(screen.getByTestId("ticket-new-service"));
    await user.click(await screen.findByRole("option", { name: "Fibre 1G (#22)", hidden: true }));
    await user.click(screen.getByTestId("ticket-new-submit"));

    expect(await screen.findByText("service 22 is not one of customer 7's")).toBeInTheDocument();
    expect(screen.getByText("user 1 is not active staff who can work tickets")).toBeInTheDocument();
    expect(screen.getByText("Lower-case letters, digits, -.")).toBeInTheDocument();
    expect(screen.queryByTestId("ticket-new-error")).not.toBeInTheDocument();
    expect(onClose).not.toHaveBeenCalled();
    expect(await posts()[0].json()).toEqual({
      customer_id: 7,
      subject: "Slow line",
      priority: "normal",
      service_id: 22,
      customer_visible: true,
    });
  });

  it("refuses a bad tag before sending, and shows a refusal that is about no field above the form", async () => {
    fetch.on("POST /crm/ticket/", () => errorBody(403, "forbidden", "Missing permission ticket.write"));
    renderModal(7);
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("ticket-new-subject"), "Bad tag");
    await user.type(screen.getByTestId("ticket-new-tags"), "not a tag!{Enter}");
    await user.click(screen.getByTestId("ticket-new-submit"));
    expect(
      await screen.findByText("Tags are lower-case letters, digits and -, at most 32 characters"),
    ).toBeInTheDocument();
    expect(posts()).toHaveLength(0);

    await user.type(screen.getByTestId("ticket-new-tags"), "{Backspace}");
    await user.click(screen.getByTestId("ticket-new-customer-visible"));
    await user.click(screen.getByTestId("ticket-new-submit"));
    expect(await screen.findByTestId("ticket-new-error")).toHaveTextContent("Missing permission ticket.write");
    expect(await posts()[0].json()).toMatchObject({ customer_visible: false });
  });
});
