import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AppProviders } from "@/app/providers";
import { createQueryClient } from "@/lib/queryClient";
import { eventStatus, STATUS, STATUS_COLORS } from "../constants";
import { event } from "../testData";
import { LiveFeed } from "./LiveFeed";
import { ProvisionStatusBadge } from "./ProvisionStatusBadge";
import { hourOf } from "./RateChart";
import { MemoryRouter } from "react-router";

const inApp = (ui: React.ReactElement) =>
  render(
    <AppProviders queryClient={createQueryClient()}>
      <MemoryRouter>{ui}</MemoryRouter>
    </AppProviders>,
  );

describe("a skipped task", () => {
  it("is Skipped (grey), whether recorded with code 6 or, before it, as a success with the flag", () => {
    expect(eventStatus({ provisioning_status: STATUS.skipped, skipped: true })).toBe(STATUS.skipped);
    expect(eventStatus({ provisioning_status: STATUS.success, skipped: true })).toBe(STATUS.skipped);
    expect(eventStatus({ provisioning_status: STATUS.success, skipped: false })).toBe(STATUS.success);
    expect(eventStatus({ provisioning_status: STATUS.failed, skipped: true })).toBe(STATUS.failed);
    expect(STATUS_COLORS[STATUS.skipped]).toBe("gray");
  });

  it("shows a grey SKIPPED badge in the live feed, not a green SUCCESS", () => {
    inApp(
      <LiveFeed
        events={[
          event(1, { skipped: true, provisioning_status: 0, status_label: "Success" }),
          event(2, { skipped: true, provisioning_status: 6, status_label: "Skipped" }),
          event(3),
        ]}
        live
      />,
    );
    const badges = screen.getAllByText(/^(Skipped|Success)$/);
    expect(badges.map((b) => b.textContent)).toEqual(["Skipped", "Skipped", "Success"]);
  });

  it("the badge carries the grey colour", () => {
    inApp(<ProvisionStatusBadge status={STATUS.skipped} testId="badge" />);
    const badge = screen.getByTestId("badge");
    expect(badge).toHaveTextContent("Skipped");
    expect(badge.getAttribute("style") ?? "").toContain("gray");
  });
});

describe("the rate chart's time axis", () => {
  it("shows the day and month with the hour", () => {
    const local = new Date(2026, 11, 7, 16, 0).toISOString();
    expect(hourOf(local)).toBe("7 Dec 16:00");
    expect(hourOf("not a date")).toBe("not a date");
  });
});
