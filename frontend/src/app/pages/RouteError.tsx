import { Alert, Button, Center, Code, Stack } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { isRouteErrorResponse, useRouteError } from "react-router";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

/** Last resort when a page throws while rendering. */
export function RouteError() {
  useDocumentTitle("Something went wrong");
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : "Unknown error";
  return (
    <Center py={80} px="md">
      <Stack maw={560}>
        <Alert color="red" icon={<IconAlertTriangle />} title="Something went wrong">
          The page failed to load. <Code>{message}</Code>
        </Alert>
        <Button variant="light" onClick={() => window.location.reload()}>
          Reload
        </Button>
      </Stack>
    </Center>
  );
}
