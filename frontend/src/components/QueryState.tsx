import { Alert, Button, Center, Loader } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ApiError } from "@/api";
import { errorMessage } from "@/lib/notify";

interface QueryStateProps<T> {
  query: UseQueryResult<T>;
  children: (data: T) => ReactNode;
}

/** A retry cannot help a 4xx (not found, not allowed, bad id): only a failed or 5xx request. */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof ApiError && error.status >= 400 && error.status < 500);
}

/** Loading spinner, error (with Retry when trying again could help), or the data. */
export function QueryState<T>({ query, children }: QueryStateProps<T>) {
  if (query.isPending) {
    return (
      <Center py="xl">
        <Loader />
      </Center>
    );
  }
  if (query.isError) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <Alert color="red" icon={<IconAlertTriangle size={18} />} title={notFound ? "Not found" : "Could not load"}>
        {errorMessage(query.error)}
        {isRetryable(query.error) && (
          <Button variant="subtle" size="xs" ml="sm" onClick={() => void query.refetch()}>
            Retry
          </Button>
        )}
      </Alert>
    );
  }
  return <>{children(query.data)}</>;
}
