import { localStorageColorSchemeManager, MantineProvider } from "@mantine/core";
import { ModalsProvider } from "@mantine/modals";
import { Notifications } from "@mantine/notifications";
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { createQueryClient } from "@/lib/queryClient";
import { LiveUpdates } from "./live";
import { cssVariablesResolver, theme } from "./theme";

/** Where the chosen colour scheme (light, dark or auto) is kept; auto follows the OS. */
export const COLOR_SCHEME_STORAGE_KEY = "omnicrm.color-scheme";
const colorSchemeManager = localStorageColorSchemeManager({ key: COLOR_SCHEME_STORAGE_KEY });

/**
 * Everything a page needs around it; tests render pages inside this too. `live`: follow the
 * server's live messages (`./live`); by default the app does (it brings no client of its own)
 * and tests, which bring theirs and play the sockets themselves, do not.
 */
export function AppProviders({
  children,
  queryClient,
  live = queryClient === undefined,
}: {
  children: ReactNode;
  queryClient?: QueryClient;
  live?: boolean;
}) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  return (
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariablesResolver}
      defaultColorScheme="auto"
      colorSchemeManager={colorSchemeManager}
    >
      <QueryClientProvider client={client}>
        <ModalsProvider>
          <Notifications position="top-right" />
          {live && <LiveUpdates />}
          {children}
        </ModalsProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
