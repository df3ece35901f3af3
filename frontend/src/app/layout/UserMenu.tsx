import { Avatar, Group, Menu, Text, UnstyledButton, VisuallyHidden } from "@mantine/core";
import {
  IconChevronDown,
  IconDevices,
  IconKey,
  IconLogout,
  IconLogout2,
  IconPassword,
  IconShieldLock,
} from "@tabler/icons-react";
import { Link } from "react-router";
import { usePermission, useSession } from "@/api";
import { useLogout } from "@/features/auth";

function initials(name: string): string {
  return name
    .split(/[\s@._-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]!.toUpperCase())
    .join("");
}

export function UserMenu() {
  const user = useSession((s) => s.user);
  const logout = useLogout();
  const canManageKeys = usePermission("apikey.manage");
  const name = user?.full_name || user?.username || user?.email || "Account";

  return (
    <Menu position="bottom-end" width={240} withinPortal>
      <Menu.Target>
        <UnstyledButton data-testid="user-menu">
          <Group gap="xs" wrap="nowrap">
            <Avatar color="blue" radius="xl" size={32} aria-hidden>
              {initials(name)}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="sm">
              {name}
            </Text>
            {/* Named by what it shows (the name), plus what it is: axe's label-in-name rule. */}
            <VisuallyHidden>User menu</VisuallyHidden>
            <IconChevronDown size={14} aria-hidden />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{user?.email}</Menu.Label>
        <Menu.Item component={Link} to="/settings/security#password" leftSection={<IconPassword size={16} />}>
          Change password
        </Menu.Item>
        <Menu.Item component={Link} to="/settings/security" leftSection={<IconShieldLock size={16} />}>
          Two-factor authentication
        </Menu.Item>
        <Menu.Item component={Link} to="/settings/security#sessions" leftSection={<IconDevices size={16} />}>
          Active sessions
        </Menu.Item>
        {canManageKeys && (
          <Menu.Item
            component={Link}
            to="/settings/api-keys"
            leftSection={<IconKey size={16} />}
            data-testid="user-menu-api-keys"
          >
            API keys
          </Menu.Item>
        )}
        <Menu.Divider />
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => logout.mutate({})} data-testid="logout">
          Log out
        </Menu.Item>
        <Menu.Item
          color="red"
          leftSection={<IconLogout2 size={16} />}
          onClick={() => logout.mutate({ all: true })}
          data-testid="logout-all"
        >
          Log out everywhere
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
