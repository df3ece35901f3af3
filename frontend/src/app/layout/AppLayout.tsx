import { AppShell, Burger, Center, Group, Loader, NavLink, ScrollArea, Text, ThemeIcon } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconBroadcast } from "@tabler/icons-react";
import { Suspense } from "react";
import { NavLink as RouterNavLink, Outlet, useLocation } from "react-router";
import { grants, useSession } from "@/api";
import { useMe } from "@/features/auth";
import { sections } from "../sections";
import { ColorSchemeMenu } from "./ColorSchemeMenu";
import { UserMenu } from "./UserMenu";

function Navigation({ onNavigate }: { onNavigate: () => void }) {
  const permissions = useSession((s) => s.permissions);
  const { pathname } = useLocation();
  const visible = sections.filter((s) => s.nav !== false && (!s.permission || grants(permissions, s.permission)));
  return (
    <nav aria-label="Main">
      {visible.map((s) => (
        <NavLink
          key={s.path}
          component={RouterNavLink}
          to={`/${s.path}`}
          label={s.label}
          leftSection={<s.icon size={18} stroke={1.6} />}
          active={pathname === `/${s.path}` || pathname.startsWith(`/${s.path}/`)}
          onClick={onNavigate}
          data-testid={`nav-${s.path}`}
        />
      ))}
    </nav>
  );
}

/** The staff shell: header with the user menu, navbar from `sections`, the page. */
export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure();
  useMe(); // keeps roles and permissions current

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 230, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <ThemeIcon variant="filled" radius="md" size="md">
              <IconBroadcast size={18} />
            </ThemeIcon>
            <Text fw={700} size="lg">
              OmniCRM
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <ColorSchemeMenu />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <AppShell.Section grow component={ScrollArea}>
          <Navigation onNavigate={close} />
        </AppShell.Section>
      </AppShell.Navbar>
      {/* light-dark(): Mantine sets color-scheme on :root, so the main area follows the scheme. */}
      <AppShell.Main bg="light-dark(var(--mantine-color-gray-0), var(--mantine-color-dark-8))" data-testid="app-main">
        <Suspense
          fallback={
            <Center py="xl">
              <Loader />
            </Center>
          }
        >
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
