import {
  ActionIcon,
  Anchor,
  Button,
  Card,
  Code,
  Group,
  Modal,
  NumberInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconMapPin, IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { z } from "zod";
import { usePermission, type Site } from "@/api";
import { confirmAction, EmptyRow, QueryState } from "@/components";
import { nullIfBlank, showFormError } from "@/lib/forms";
import { notifyError, notifySuccess } from "@/lib/notify";
import { useDeleteSite, useSaveSite, useSites } from "../api";

const coordinate = (limit: number) =>
  z.union([
    z.literal(""),
    z.number().min(-limit, `Between -${limit} and ${limit}`).max(limit, `Between -${limit} and ${limit}`),
  ]);

const schema = z.object({
  site_name: z.string().trim().min(1, "Name the site"),
  address_line_1: z.string().max(200),
  address_line_2: z.string(),
  city: z.string().max(100),
  state: z.string(),
  zip_code: z.string(),
  country: z.union([
    z.literal(""),
    z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2}$/, "Two-letter ISO code, e.g. GB"),
  ]),
  latitude: coordinate(90),
  longitude: coordinate(180),
});
type Values = z.infer<typeof schema>;

function SiteForm({ customerId, site, onDone }: { customerId: number; site?: Site; onDone: () => void }) {
  const save = useSaveSite(customerId);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: {
      site_name: site?.site_name ?? "",
      address_line_1: site?.address_line_1 ?? "",
      address_line_2: site?.address_line_2 ?? "",
      city: site?.city ?? "",
      state: site?.state ?? "",
      zip_code: site?.zip_code ?? "",
      country: site?.country ?? "",
      latitude: site?.latitude ?? "",
      longitude: site?.longitude ?? "",
    },
    validate: zod4Resolver(schema),
  });
  const submit = form.onSubmit((v) =>
    save.mutate(
      {
        siteId: site?.site_id,
        body: {
          site_name: v.site_name.trim(),
          address_line_1: nullIfBlank(v.address_line_1),
          address_line_2: nullIfBlank(v.address_line_2),
          city: nullIfBlank(v.city),
          state: nullIfBlank(v.state),
          zip_code: nullIfBlank(v.zip_code),
          country: nullIfBlank(v.country)?.toUpperCase() ?? null,
          // Blank coordinates let the server geocode the address.
          latitude: v.latitude === "" ? null : v.latitude,
          longitude: v.longitude === "" ? null : v.longitude,
        },
      },
      {
        onSuccess: () => {
          notifySuccess(site ? "Site saved." : "Site added.");
          onDone();
        },
        onError: (e) => showFormError(form, e),
      },
    ),
  );
  return (
    <form onSubmit={submit} noValidate data-testid="site-form">
      <Stack>
        <TextInput
          label="Site name"
          required
          data-autofocus
          data-testid="site-name"
          {...form.getInputProps("site_name")}
        />
        <TextInput label="Address line 1" data-testid="site-address-1" {...form.getInputProps("address_line_1")} />
        <TextInput label="Address line 2" data-testid="site-address-2" {...form.getInputProps("address_line_2")} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="City" data-testid="site-city" {...form.getInputProps("city")} />
          <TextInput label="State / region" data-testid="site-state" {...form.getInputProps("state")} />
          <TextInput label="Postcode" data-testid="site-zip" {...form.getInputProps("zip_code")} />
          <TextInput
            label="Country"
            placeholder="GB"
            maxLength={2}
            data-testid="site-country"
            {...form.getInputProps("country")}
          />
          <NumberInput
            label="Latitude"
            decimalScale={7}
            hideControls
            data-testid="site-latitude"
            {...form.getInputProps("latitude")}
          />
          <NumberInput
            label="Longitude"
            decimalScale={7}
            hideControls
            data-testid="site-longitude"
            {...form.getInputProps("longitude")}
          />
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          Leave the coordinates blank to have them looked up from the address.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending} data-testid="site-submit">
            {site ? "Save site" : "Add site"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Coordinates({ site }: { site: Site }) {
  if (site.latitude === null || site.longitude === null) return <Text c="dimmed">—</Text>;
  const lat = site.latitude.toFixed(6);
  const lng = site.longitude.toFixed(6);
  return (
    <Anchor
      href={`https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=17/${lat}/${lng}`}
      target="_blank"
      rel="noreferrer"
      size="sm"
    >
      <Group gap={4} wrap="nowrap">
        <IconMapPin size={14} />
        {lat}, {lng}
      </Group>
    </Anchor>
  );
}

export function SitesTab({ customerId }: { customerId: number }) {
  const sites = useSites(customerId);
  const remove = useDeleteSite(customerId);
  const canWrite = usePermission("customer.write");
  const [editing, setEditing] = useState<Site | null | undefined>(undefined);

  return (
    <Card withBorder radius="md" padding="lg">
      {canWrite && (
        <Group justify="flex-end" mb="md">
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing(null)} data-testid="site-new">
            Add site
          </Button>
        </Group>
      )}
      <QueryState query={sites}>
        {({ items }) => (
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="sm" data-testid="sites-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Site</Table.Th>
                  <Table.Th>Address</Table.Th>
                  <Table.Th>Plus code</Table.Th>
                  <Table.Th>Lat, lng</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.length === 0 && <EmptyRow colSpan={5}>No sites yet</EmptyRow>}
                {items.map((s) => (
                  <Table.Tr key={s.site_id}>
                    <Table.Td fw={500}>{s.site_name}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{[s.address_line_1, s.address_line_2].filter(Boolean).join(", ")}</Text>
                      <Text size="xs" c="dimmed">
                        {[s.city, s.state, s.zip_code, s.country].filter(Boolean).join(", ")}
                      </Text>
                    </Table.Td>
                    <Table.Td>{s.plus_code ? <Code>{s.plus_code}</Code> : "—"}</Table.Td>
                    <Table.Td>
                      <Coordinates site={s} />
                    </Table.Td>
                    <Table.Td>
                      {canWrite && (
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <ActionIcon variant="subtle" aria-label="Edit site" onClick={() => setEditing(s)}>
                            <IconPencil size={16} />
                          </ActionIcon>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label="Delete site"
                            onClick={() =>
                              confirmAction({
                                title: "Delete site?",
                                message: `${s.site_name} will be removed from this customer.`,
                                confirmLabel: "Delete",
                                onConfirm: () =>
                                  remove.mutate(s.site_id, {
                                    onSuccess: () => notifySuccess("Site deleted."),
                                    onError: (e) => notifyError(e),
                                  }),
                              })
                            }
                          >
                            <IconTrash size={16} />
                          </ActionIcon>
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      <Modal
        opened={editing !== undefined}
        onClose={() => setEditing(undefined)}
        title={editing ? "Edit site" : "Add site"}
        size="lg"
      >
        {editing !== undefined && (
          <SiteForm customerId={customerId} site={editing ?? undefined} onDone={() => setEditing(undefined)} />
        )}
      </Modal>
    </Card>
  );
}
