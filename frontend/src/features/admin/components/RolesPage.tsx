import { Badge, Button, Card, Group, Spoiler, Table, Text } from "@mantine/core";
import { IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { usePermission } from "@/api";
import { confirmAction, EmptyRow, PageHeader, QueryState } from "@/components";
import { notifyError, notifySuccess } from "@/lib/notify";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { useDeleteRole, useRoles, type Role } from "../api";
import { RoleFormModal } from "./RoleFormModal";

/** The admin role's permissions never change (the API answers 409): no Edit for it. */
const FIXED_ROLE = "admin";

/** Admin: roles and their permissions (role.read to see, role.write to act). */
export function RolesPage() {
  useDocumentTitle("Roles");
  const canWrite = usePermission("role.write");
  const roles = useRoles();
  const remove = useDeleteRole();
  const [editing, setEditing] = useState<Role | null>(null);
  const [creating, setCreating] = useState(false);

  const deleteRole = (role: Role) =>
    confirmAction({
      title: `Delete role ${role.name}?`,
      message: "Users holding it lose its permissions at once.",
      confirmLabel: "Delete role",
      onConfirm: () =>
        remove.mutate(role.id, {
          onSuccess: () => notifySuccess(`Role ${role.name} deleted`),
          onError: (e) => notifyError(e, `Could not delete ${role.name}`),
        }),
    });

  return (
    <>
      <PageHeader
        title="Roles"
        description="What each role may do. Built-in roles cannot be deleted; you grant only what you hold."
        actions={
          canWrite && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="role-new">
              New role
            </Button>
          )
        }
      />
      <Card withBorder radius="md" padding="md">
        <QueryState query={roles}>
          {(items) => (
            <Table.ScrollContainer minWidth={800}>
              <Table verticalSpacing="xs" data-testid="roles-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Description</Table.Th>
                    <Table.Th>Permissions</Table.Th>
                    {canWrite && <Table.Th aria-label="Actions" />}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.length === 0 && <EmptyRow colSpan={canWrite ? 4 : 3}>No roles.</EmptyRow>}
                  {items.map((role) => (
                    <Table.Tr key={role.id} data-testid="role-row" data-role={role.name}>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Text fw={500}>{role.name}</Text>
                          {role.builtin && (
                            <Badge size="xs" variant="outline" color="gray">
                              built-in
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td>{role.description}</Table.Td>
                      <Table.Td maw={480}>
                        <Spoiler maxHeight={48} showLabel="Show all" hideLabel="Hide">
                          <Group gap={4} data-testid="role-permissions">
                            {role.permissions.map((p) => (
                              <Badge key={p} size="xs" variant="light" tt="none">
                                {p}
                              </Badge>
                            ))}
                          </Group>
                        </Spoiler>
                      </Table.Td>
                      {canWrite && (
                        <Table.Td>
                          <Group gap={4} justify="flex-end" wrap="nowrap">
                            {role.name !== FIXED_ROLE && (
                              <Button
                                size="xs"
                                variant="subtle"
                                leftSection={<IconPencil size={14} />}
                                onClick={() => setEditing(role)}
                                data-testid="role-edit"
                              >
                                Edit
                              </Button>
                            )}
                            {!role.builtin && (
                              <Button
                                size="xs"
                                variant="subtle"
                                color="red"
                                leftSection={<IconTrash size={14} />}
                                onClick={() => deleteRole(role)}
                                data-testid="role-delete"
                              >
                                Delete
                              </Button>
                            )}
                          </Group>
                        </Table.Td>
                      )}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Card>
      <RoleFormModal opened={creating} onClose={() => setCreating(false)} />
      <RoleFormModal opened={!!editing} onClose={() => setEditing(null)} role={editing} />
    </>
  );
}
