import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { preview, templates } from "../testData";
import { TemplatesPage } from "./TemplatesPage";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["notification.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/notification/template/", () => json(templates()));
  fetch.on("GET /crm/notification/template/service_suspended/preview", () => json(preview()));
  fetch.on("GET /crm/notification/template/ticket_replied/preview", () =>
    json(preview({ name: "ticket_replied", subject: "[ticket #1042] Re: No data", html: null, sms: null })),
  );
  return () => vi.unstubAllGlobals();
});

const renderPage = (search = "") =>
  renderRoutes([{ path: "/outbox/templates", element: <TemplatesPage /> }], `/outbox/templates${search}`);

const itemOf = (name: string) => screen.getAllByTestId("template-item").find((i) => i.dataset.template === name)!;

describe("TemplatesPage", () => {
  it("groups the templates by category with their channels, required, one-time link and overridden parts", async () => {
    renderPage();
    const groups = await screen.findAllByTestId("template-group");
    expect(groups.map((g) => g.dataset.category)).toEqual(["account", "billing", "contract", "tickets"]);
    expect(within(groups[1]).getByTestId("template-item")).toHaveTextContent("Invoice issued");

    const invoice = itemOf("invoice_issued");
    expect(invoice).toHaveTextContent("An invoice was issued");
    expect(within(invoice).getByTestId("template-required")).toHaveTextContent("Required");
    expect(within(invoice).getByTestId("template-overridden")).toHaveTextContent("Overridden: subject, html");
    expect(within(invoice).queryByTestId("template-sensitive")).not.toBeInTheDocument();

    const reset = itemOf("reset_password");
    expect(within(reset).getByTestId("template-sensitive")).toHaveTextContent("One-time link");
    expect(within(reset).queryByTestId("template-overridden")).not.toBeInTheDocument();

    const suspended = itemOf("service_suspended");
    expect(
      within(suspended)
        .getAllByTestId("template-channel")
        .map((b) => b.textContent),
    ).toEqual(["E-mail", "SMS"]);
    expect(within(suspended).queryByTestId("template-required")).not.toBeInTheDocument();
    expect(screen.getByTestId("template-preview")).toHaveTextContent("Choose a template");
  });

  it("previews the chosen one: subject, HTML in a sandboxed frame, text, SMS and the sample facts", async () => {
    const { router } = renderPage();
    const user = userEvent.setup();
    await screen.findAllByTestId("template-item");
    await user.click(itemOf("service_suspended"));
    expect(router.state.location.search).toBe("?template=service_suspended");

    expect(await screen.findByTestId("template-preview-subject")).toHaveTextContent(
      "Your service Mobile 20 GB is suspended",
    );
    const frame = screen.getByTestId("template-preview-html");
    expect(frame.tagName).toBe("IFRAME");
    expect(frame).toHaveAttribute("sandbox", "");
    expect(frame.getAttribute("srcdoc")).toContain("<script>alert(1)</script>");
    // The preview's markup stays inside the frame.
    expect(screen.getByTestId("template-preview").querySelector("script")).toBeNull();
    expect(itemOf("service_suspended")).toHaveAttribute("data-active", "true");

    await user.click(screen.getByTestId("template-tab-text"));
    expect(screen.getByTestId("template-preview-text")).toHaveTextContent("Your service is suspended.");
    await user.click(screen.getByTestId("template-tab-sms"));
    expect(screen.getByTestId("template-preview-sms")).toHaveTextContent("OmniCRM: Mobile 20 GB is suspended.");

    const facts = within(screen.getByTestId("template-preview-sample")).getAllByTestId("template-sample-row");
    expect(facts.map((r) => [r.dataset.key, (r as HTMLTableRowElement).cells[1].textContent])).toEqual([
      ["customer_name", "Ada Lovelace"],
      ["contract_number", "C-2026-000042"],
      ["percent_used", "80"],
    ]);
  });

  it("opens on ?template=, with text only for a template without HTML or SMS", async () => {
    renderPage("?template=ticket_replied");
    expect(await screen.findByTestId("template-preview-subject")).toHaveTextContent("[ticket #1042] Re: No data");
    expect(screen.queryByTestId("template-preview-html")).not.toBeInTheDocument();
    expect(screen.queryByTestId("template-tab-sms")).not.toBeInTheDocument();
    expect(screen.getByTestId("template-preview-text")).toBeVisible();
    await waitFor(() => expect(fetch.callsTo("GET /crm/notification/template/ticket_replied/preview")).toHaveLength(1));
  });
});
