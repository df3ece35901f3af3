import { Badge, Group, NavLink, Stack, Text } from "@mantine/core";
import type { NotificationTemplate } from "../api";
import { CATEGORIES, categoryLabel, templateLabel } from "../constants";
import { ChannelBadges } from "./Badges";

/** Required, one-time link, overridden parts: what matters about a template at a glance. */
function TemplateBadges({ template }: { template: NotificationTemplate }) {
  return (
    <Group gap={4} mt={4}>
      <ChannelBadges channels={template.channels} testId="template-channel" />
      {template.required && (
        <Badge size="sm" variant="light" color="teal" data-testid="template-required">
          Required
        </Badge>
      )}
      {template.sensitive && (
        <Badge size="sm" variant="light" color="yellow" data-testid="template-sensitive">
          One-time link
        </Badge>
      )}
      {template.overridden.length > 0 && (
        <Badge size="sm" variant="light" color="violet" data-testid="template-overridden" tt="none">
          Overridden: {template.overridden.join(", ")}
        </Badge>
      )}
    </Group>
  );
}

/** Categories in the catalogue's order, any the UI does not know last. */
function byCategory(templates: NotificationTemplate[]): [string, NotificationTemplate[]][] {
  const known: readonly string[] = CATEGORIES;
  const names = [...new Set(templates.map((t) => t.category))].sort(
    (a, b) => (known.indexOf(a) + 1 || 99) - (known.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  return names.map((name) => [name, templates.filter((t) => t.category === name)]);
}

/** The templates grouped by category; the chosen one highlighted. */
export function TemplateList({
  templates,
  selected,
  onSelect,
}: {
  templates: NotificationTemplate[];
  selected: string;
  onSelect: (name: string) => void;
}) {
  return (
    <Stack gap="md" data-testid="templates-list">
      {byCategory(templates).map(([category, group]) => (
        <Stack key={category} gap={2} data-testid="template-group" data-category={category}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={700} px="sm">
            {categoryLabel(category)}
          </Text>
          {group.map((t) => (
            <NavLink
              key={t.name}
              component="button"
              active={t.name === selected}
              onClick={() => onSelect(t.name)}
              label={
                <Text size="sm" fw={500}>
                  {templateLabel(t.name)}
                </Text>
              }
              description={
                <>
                  {t.description}
                  <TemplateBadges template={t} />
                </>
              }
              data-testid="template-item"
              data-template={t.name}
            />
          ))}
        </Stack>
      ))}
    </Stack>
  );
}
