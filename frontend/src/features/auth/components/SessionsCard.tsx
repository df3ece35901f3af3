import { Badge, Button, Card, Group, Table, Text, Title, Tooltip } from "@mantine/core";
import { IconDevices } from "@tabler/icons-react";
import { confirmAction, EmptyRow, QueryState } from "@/components";
import { formatDateTime, fromUnixSeconds, orDash } from "@/lib/format";
import { notifyError, notifySuccess } from "@/lib/notify";
import { useLogout, useRevokeSession, useSessions } from "../api";

export function SessionsCard() {
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const logout = useLogout();

  return (
    <Card withBorder radius="md" padding="lg" id="sessions">
      <Group justify="space-between" mb="md">
        <Group gap="xs">
          <IconDevices size={20} />
          <Title order={4}>Active sessions</Title>
        </Group>
        <Button
          variant="light"
          color="red"
          size="xs"
          onClick={() =>
            confirmAction({
              title: "Sign out everywhere?",
              message: "Every session, including this one, will be signed out.",
              confirmLabel: "Sign out everywhere",
              onConfirm: () => logout.mutate({ all: true }),
            })
          }
        >
          Sign out everywhere
        </Button>
      </Group>
      <QueryState query={sessions}>
        {(rows) => (
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing="xs" data-testid="sessions-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Device</Table.Th>
                  <Table.Th>IP address</Table.Th>
                  <Table.Th>Signed in</Table.Th>
                  <Table.Th>Last active</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.length === 0 && <EmptyRow colSpan={5}>No active sessions</EmptyRow>}
                {rows.map((s) => (
                  <Table.Tr key={s.session_id}>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Text size="sm" lineClamp={1} title={s.user_agent ?? undefined} maw={280}>
                          {orDash(s.user_agent)}
                        </Text>
                        {s.current && (
                          <Badge size="sm" variant="light">
                            This device
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>{orDash(s.ip)}</Table.Td>
                    <Table.Td>{formatDateTime(fromUnixSeconds(s.created_at))}</Table.Td>
                    <Table.Td>{formatDateTime(fromUnixSeconds(s.last_used_at))}</Table.Td>
                    <Table.Td ta="right">
                      {s.current ? (
                        <Tooltip label="Use “Log out” in the user menu to end this session">
                          <Button size="xs" variant="subtle" disabled>
                            Revoke
                          </Button>
                        </Tooltip>
                      ) : (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          loading={revoke.isPending && revoke.variables === s.session_id}
                          onClick={() =>
                            revoke.mutate(s.session_id, {
                              onSuccess: () => notifySuccess("Session revoked."),
                              onError: (e) => notifyError(e),
                            })
                          }
                        >
                          Revoke
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Card>
  );
}
