import { Button, Center, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

export function ForbiddenPage() {
  useDocumentTitle("Not allowed");
  return (
    <Center py={80}>
      <Stack align="center" gap="xs">
        <Title order={2}>Not allowed</Title>
        <Text c="dimmed">Your role does not give you access to this page.</Text>
        <Button component={Link} to="/" variant="light" mt="md">
          Go home
        </Button>
      </Stack>
    </Center>
  );
}
