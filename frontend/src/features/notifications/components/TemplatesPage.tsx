import { Box, Grid } from "@mantine/core";
import { DetailCard, PageBreadcrumbs, PageHeader, QueryState } from "@/components";
import { useUrlParams } from "@/lib/useUrlParams";
import { useTemplates, type TemplateName } from "../api";
import { TemplateList } from "./TemplateList";
import { TemplatePreviewCard } from "./TemplatePreviewCard";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

const PARAMS = ["template"] as const;

/** Every message OmniCRM sends, by category; the chosen one (`?template=`) previewed. */
export function TemplatesPage() {
  useDocumentTitle("Templates");
  const [params, setParams] = useUrlParams(PARAMS);
  const templates = useTemplates();
  const known = templates.data?.some((t) => t.name === params.template) ?? false;
  return (
    <>
      <PageBreadcrumbs items={[{ label: "Outbox", to: "/outbox" }, { label: "Templates" }]} />
      <PageHeader
        title="Templates"
        description="What each message says, rendered with sample facts. Operators override parts with files in NOTIFICATION_TEMPLATE_DIR."
      />
      <QueryState query={templates}>
        {(list) => (
          <Grid gutter="md">
            <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
              <DetailCard>
                <TemplateList
                  templates={list}
                  selected={params.template}
                  onSelect={(template) => setParams({ template })}
                />
              </DetailCard>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
              {/* Stays in view while a long list scrolls. */}
              <Box pos="sticky" top={72}>
                <TemplatePreviewCard name={known ? (params.template as TemplateName) : null} />
              </Box>
            </Grid.Col>
          </Grid>
        )}
      </QueryState>
    </>
  );
}
