import { Badge, Card, Group, Stack, Text, Title, Tooltip } from "@mantine/core";
import { COLUMN_GROUPS } from "../constants";
import { SampleCsvButton } from "./SampleCsvButton";

/** The columns a subscriber CSV may have (required ones marked) and a sample file to start from. */
export function ColumnsHelp() {
  return (
    <Card withBorder radius="md" padding="lg" data-testid="imports-help">
      <Group justify="space-between" mb="xs">
        <Title order={5}>Columns</Title>
        <SampleCsvButton target={{ kind: "subscribers" }} testId="imports-template" />
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        UTF-8, a header row naming the columns used (any order; comma, semicolon, tab or | as delimiter). Each row needs{" "}
        <b>customer_name</b> and <b>external_id</b> or <b>email</b>: a customer is found by external_id, then by e-mail,
        and updated, or else created. A row with product_slug and sim_iccid also sells that product.
      </Text>
      <Stack gap="xs" data-testid="imports-columns">
        {COLUMN_GROUPS.map((group) => (
          <div key={group.label}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={4}>
              {group.label}
            </Text>
            <Group gap={6}>
              {group.columns.map((column) => {
                const badge = (
                  <Badge
                    key={column.name}
                    variant={column.required ? "filled" : column.oneOf ? "outline" : "light"}
                    color={column.required || column.oneOf ? "blue" : "gray"}
                    tt="none"
                    ff="monospace"
                    data-testid="imports-column"
                    data-column={column.name}
                    data-required={column.required ? "true" : column.oneOf ? "one-of" : "false"}
                  >
                    {column.name}
                    {column.required ? " *" : column.oneOf ? " †" : ""}
                  </Badge>
                );
                return column.hint ? (
                  <Tooltip key={column.name} label={column.hint}>
                    {badge}
                  </Tooltip>
                ) : (
                  badge
                );
              })}
            </Group>
          </div>
        ))}
      </Stack>
      <Text size="xs" c="dimmed" mt="sm">
        * required; † one of the two. contact_firstname is required when any contact column has a value, site_name when
        any site column has one.
      </Text>
    </Card>
  );
}
