import { Badge, Button, Card, Group, Pagination, Table, Text, Tooltip } from "@mantine/core";
import { IconPlus, IconUserCheck, IconUserOff, IconPencil, IconShieldOff } from "@tabler/icons-react";
import { useState } from "react";
import { useSession, usePermission } from "@/api";
import { confirmAction, EmptyRow, PageHeader, QueryState, SearchBox } from "@/components";
import { formatDateTime } from "@/lib/format";
import { notifyError, notifySuccess } from "@/lib/notify";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { useResetUserTwoFactor, useUpdateUser, useUsers, type StaffUser } from "../api";
import { UserFormModal } from "./UserFormModal";

const PAGE_SIZE = 25;

/** Admin: staff and self-care users (user.read to see, user.write to act). */
export function UsersPage() {
  useDocumentTitle("Users");
  const canWrite = usePermission("user.write");
  const me = useSession((s) => s.user?.id);
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const users = useUsers({ q: q || undefined, page, page_size: PAGE_SIZE });
  const update = useUpdateUser();
  const reset2fa = useResetUserTwoFactor();
  const [editing, setEditing] = useState<StaffUser | null>(null);
  const [creating, setCreating] = useState(false);

  const setActive = (user: StaffUser, active: boolean) => {
    const run = () =>
      update.mutate(
        { userId: user.id, body: { is_active: active } },
        {
          onSuccess: () => notifySuccess(`${user.email} is ${active ? "active again" : "disabled"}`),
          onError: (e) => notifyError(e, `Could not ${active ? "re-enable" : "disable"} ${user.email}`),
        },
      );
    if (active) run();
    else
      confirmAction({
        title: `Disable ${user.email}?`,
        message: "They are signed out everywhere and cannot sign in until re-enabled. Their history stays.",
        confirmLabel: "Disable",
        onConfirm: run,
      });
  };

  const resetTwoFactor = (user: StaffUser) =>
    confirmAction({
      title: `Reset two-factor authentication of ${user.email}?`,
      message:
        "For a user who lost their device: their authenticator and backup codes stop working, they are signed out everywhere and sign in with their password alone until they set up 2FA again.",
      confirmLabel: "Reset 2FA",
      onConfirm: () =>
        reset2fa.mutate(user.id, {
          onSuccess: () => notifySuccess(`Two-factor authentication of ${user.email} is reset`),
          onError: (e) => notifyError(e, "Could not reset 2FA"),
        }),
    });

  return (
    <>
      <PageHeader
        title="Users"
        description="Staff and self-care accounts, their roles and sign-in security."
        actions={
          canWrite && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="user-new">
              New user
            </Button>
          )
        }
      />
      <Card withBorder radius="md" padding="md">
        <Group mb="sm">
          <SearchBox
            value={q}
            onSearch={(text) => {
              setQ(text);
              setPage(1);
            }}
            placeholder="Search name or e-mail…"
            testId="users-search"
          />
        </Group>
        <QueryState query={users}>
          {({ items, pagination }) => (
            <>
              <Table.ScrollContainer minWidth={900}>
                <Table verticalSpacing="xs" striped highlightOnHover data-testid="users-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Name</Table.Th>
                      <Table.Th>E-mail</Table.Th>
                      <Table.Th>Roles</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>2FA</Table.Th>
                      <Table.Th>Last sign-in</Table.Th>
                      {canWrite && <Table.Th aria-label="Actions" />}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.length === 0 && <EmptyRow colSpan={canWrite ? 7 : 6}>No users found.</EmptyRow>}
                    {items.map((user) => {
                      const self = user.id === me;
                      return (
                        <Table.Tr key={user.id} data-testid="user-row" data-email={user.email}>
                          <Table.Td>{user.full_name || user.username}</Table.Td>
                          <Table.Td>{user.email}</Table.Td>
                          <Table.Td>
                            <Group gap={4}>
                              {user.roles.map((role) => (
                                <Badge key={role} variant="light" size="sm">
                                  {role}
                                </Badge>
                              ))}
                            </Group>
                          </Table.Td>
                          <Table.Td>
                            <Badge color={user.is_active ? "teal" : "gray"} data-testid="user-active">
                              {user.is_active ? "Active" : "Disabled"}
                            </Badge>
                          </Table.Td>
                          <Table.Td>
                            <Badge
                              color={user.is_2fa_enabled ? "teal" : "gray"}
                              variant="outline"
                              data-testid="user-2fa"
                            >
                              {user.is_2fa_enabled ? "On" : "Off"}
                            </Badge>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm">{formatDateTime(user.last_login_at)}</Text>
                          </Table.Td>
                          {canWrite && (
                            <Table.Td>
                              <Group gap={4} justify="flex-end" wrap="nowrap">
                                <Button
                                  size="xs"
                                  variant="subtle"
                                  leftSection={<IconPencil size={14} />}
                                  onClick={() => setEditing(user)}
                                  data-testid="user-edit"
                                >
                                  Edit
                                </Button>
                                {user.is_2fa_enabled && (
                                  <Tooltip label="Reset your own 2FA under Security" disabled={!self}>
                                    <Button
                                      size="xs"
                                      variant="subtle"
                                      color="orange"
                                      leftSection={<IconShieldOff size={14} />}
                                      disabled={self}
                                      onClick={() => resetTwoFactor(user)}
                                      data-testid="user-reset-2fa"
                                    >
                                      Reset 2FA
                                    </Button>
                                  </Tooltip>
                                )}
                                {user.is_active ? (
                                  <Tooltip label="You cannot disable yourself" disabled={!self}>
                                    <Button
                                      size="xs"
                                      variant="subtle"
                                      color="red"
                                      leftSection={<IconUserOff size={14} />}
                                      disabled={self}
                                      onClick={() => setActive(user, false)}
                                      data-testid="user-disable"
                                    >
                                      Disable
                                    </Button>
                                  </Tooltip>
                                ) : (
                                  <Button
                                    size="xs"
                                    variant="subtle"
                                    color="teal"
                                    leftSection={<IconUserCheck size={14} />}
                                    onClick={() => setActive(user, true)}
                                    data-testid="user-enable"
                                  >
                                    Re-enable
                                  </Button>
                                )}
                              </Group>
                            </Table.Td>
                          )}
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {pagination.total_pages > 1 && (
                <Group justify="flex-end" mt="sm">
                  <Pagination total={pagination.total_pages} value={page} onChange={setPage} size="sm" />
                </Group>
              )}
            </>
          )}
        </QueryState>
      </Card>
      <UserFormModal opened={creating} onClose={() => setCreating(false)} />
      <UserFormModal opened={!!editing} onClose={() => setEditing(null)} user={editing} />
    </>
  );
}
