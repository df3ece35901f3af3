import { Badge, Button, Card, Code, Group, Spoiler, Table, Text } from "@mantine/core";
import { IconKey, IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useSession } from "@/api";
import { confirmAction, EmptyRow, PageHeader, QueryState } from "@/components";
import { formatDateTime } from "@/lib/format";
import { notifyError, notifySuccess } from "@/lib/notify";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { useApiKeys, useRevokeApiKey, type ApiKey, type ApiKeyCreated } from "../api";
import { ApiKeyCreateModal, ApiKeySecretModal } from "./ApiKeyCreateModal";

/** API keys for integrators (apikey.manage): one's own, or everyone's for user admins. */
export function ApiKeysPage() {
  useDocumentTitle("API keys");
  const me = useSession((s) => s.user?.id);
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);

  const revokeKey = (key: ApiKey) =>
    confirmAction({
      title: `Revoke API key “${key.name}”?`,
      message: `Requests with the key ${key.prefix}… are refused from now on. This cannot be undone.`,
      confirmLabel: "Revoke key",
      onConfirm: () =>
        revoke.mutate(key.id, {
          onSuccess: () => notifySuccess(`API key ${key.name} revoked`),
          onError: (e) => notifyError(e, "Could not revoke the key"),
        }),
    });

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys for integrations, each limited to the permissions you give it. Send one as the X-API-Key header."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="apikey-new">
            New API key
          </Button>
        }
      />
      <Card withBorder radius="md" padding="md">
        <QueryState query={keys}>
          {(items) => (
            <Table.ScrollContainer minWidth={900}>
              <Table verticalSpacing="xs" data-testid="apikeys-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Prefix</Table.Th>
                    <Table.Th>Scope</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Last used</Table.Th>
                    <Table.Th>Expires</Table.Th>
                    <Table.Th aria-label="Actions" />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.length === 0 && <EmptyRow colSpan={7}>No API keys yet.</EmptyRow>}
                  {items.map((key) => (
                    <Table.Tr key={key.id} data-testid="apikey-row" data-name={key.name}>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <IconKey size={16} />
                          <Text size="sm" fw={500}>
                            {key.name}
                          </Text>
                          {key.user_id !== me && (
                            <Badge size="xs" variant="outline" color="gray">
                              user #{key.user_id}
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Code data-testid="apikey-prefix">{key.prefix}</Code>
                      </Table.Td>
                      <Table.Td maw={360}>
                        <Spoiler maxHeight={48} showLabel="Show all" hideLabel="Hide">
                          <Group gap={4}>
                            {key.scopes.map((s) => (
                              <Badge key={s} size="xs" variant="light" tt="none">
                                {s}
                              </Badge>
                            ))}
                          </Group>
                        </Spoiler>
                      </Table.Td>
                      <Table.Td>{formatDateTime(key.created_at)}</Table.Td>
                      <Table.Td>{key.last_used_at ? formatDateTime(key.last_used_at) : "Never"}</Table.Td>
                      <Table.Td>{key.expires_at ? formatDateTime(key.expires_at) : "Never"}</Table.Td>
                      <Table.Td>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          onClick={() => revokeKey(key)}
                          data-testid="apikey-revoke"
                        >
                          Revoke
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Card>
      <ApiKeyCreateModal opened={creating} onClose={() => setCreating(false)} onCreated={setCreated} />
      <ApiKeySecretModal created={created} onClose={() => setCreated(null)} />
    </>
  );
}
