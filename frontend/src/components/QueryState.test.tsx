import { useQuery } from "@tanstack/react-query";
import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "@/api";
import { renderRoutes } from "@/test/render";
import { QueryState, isRetryable } from "./QueryState";

function Failing({ error }: { error: Error }) {
  const query = useQuery({ queryKey: ["failing", error.message], queryFn: () => Promise.reject(error), retry: false });
  return <QueryState query={query}>{() => <p>loaded</p>}</QueryState>;
}

const apiError = (status: number, message: string) =>
  new ApiError({ code: status === 404 ? "not_found" : "server_error", status, message });

describe("QueryState", () => {
  it("says a missing record is not found, without a pointless Retry", async () => {
    renderRoutes(<Failing error={apiError(404, "Customer 999 not found")} />);
    expect(await screen.findByText("Customer 999 not found")).toBeInTheDocument();
    expect(screen.getByText("Not found")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Retry" })).not.toBeInTheDocument();
  });

  it("offers Retry when the server or the network failed", async () => {
    renderRoutes(<Failing error={apiError(503, "Service unavailable")} />);
    expect(await screen.findByText("Service unavailable")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });

  it("retries only what trying again could fix", () => {
    expect(isRetryable(new TypeError("Failed to fetch"))).toBe(true);
    expect(isRetryable(apiError(500, "boom"))).toBe(true);
    expect(isRetryable(apiError(403, "Not allowed"))).toBe(false);
    expect(isRetryable(apiError(404, "gone"))).toBe(false);
  });
});
