import { Center, Stack, Text, Title } from "@mantine/core";
import { Navigate } from "react-router";
import { grants, useSession } from "@/api";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { sections } from "../sections";

/** "/" opens the first area the user may use. */
export function HomePage() {
  const permissions = useSession((s) => s.permissions);
  const first = sections.find((s) => !s.permission || grants(permissions, s.permission));
  useDocumentTitle(first ? null : "Welcome");
  if (first) return <Navigate to={`/${first.path}`} replace />;
  return (
    <Center py={80}>
      <Stack align="center" gap="xs">
        <Title order={2}>Welcome to OmniCRM</Title>
        <Text c="dimmed">Your account has no areas assigned yet. Ask an administrator for a role.</Text>
      </Stack>
    </Center>
  );
}
