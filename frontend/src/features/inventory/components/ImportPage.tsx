import { Anchor, Button, Card, Code, Grid, Group, List, NativeSelect, Stack, Text, Title } from "@mantine/core";
import { IconHistory, IconList } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { DetailCard, PageBreadcrumbs, PageHeader, QueryState } from "@/components";
import {
  ImportErrors,
  importPath,
  ImportProgressPanel,
  isFinished,
  SampleCsvButton,
  UploadCard,
  useLiveImport,
  type ImportDetail,
} from "@/features/imports";
import { useInvalidateInventory, useTemplates } from "../api";
import { itemsUrl } from "./StockPage";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

/** The CSV columns each built-in template expects (docs/inventory.md); [optional]. */
const COLUMNS: Record<string, string> = {
  "SIM Card": "iccid, imsi[, puk1, puk2, ki_ref]",
  "Phone Number": "msisdn",
  Router: "mac[, serial_number, management_url]",
};
const OTHER_COLUMNS = "serial[, itemtext1..itemtext20, management_url]";

/** Prefix of this page's test ids (import-file, import-validate, import-progress, ...). */
const TEST_ID = "import";

/** Has the job written stock (so the stock levels and item lists are stale)? */
const wroteStock = (job: ImportDetail | undefined) =>
  !!job && !job.dry_run && isFinished(job.status) && job.created + job.updated > 0;

/**
 * The import just started, followed live (socket, else polling) on this page: the bar and
 * counters, how it ended, and the rows that failed with the error file.
 */
function StockImportJob({ importId }: { importId: number }) {
  const { query, live } = useLiveImport(importId);
  const invalidate = useInvalidateInventory();
  const wrote = wroteStock(query.data);
  useEffect(() => {
    if (wrote) void invalidate();
  }, [wrote, invalidate]);

  return (
    <QueryState query={query}>
      {(job) => (
        <Stack mt="md">
          <DetailCard
            title={`${job.dry_run ? "Dry run" : "Import"} #${job.import_id}: ${job.filename}`}
            extra={
              <Anchor component={Link} to={importPath(job.import_id)} size="sm" data-testid="import-job-link">
                Open the import&apos;s page
              </Anchor>
            }
            testId="import-job-card"
          >
            <ImportProgressPanel job={job} live={live} testId={TEST_ID} />
            {wroteStock(job) && job.template && (
              <Group mt="md">
                <Button
                  component={Link}
                  to={itemsUrl(job.template, "new")}
                  variant="light"
                  leftSection={<IconList size={16} />}
                  data-testid="import-items-link"
                >
                  See the new {job.template} items
                </Button>
              </Group>
            )}
          </DetailCard>
          {isFinished(job.status) && job.failed > 0 && <ImportErrors job={job} testId={TEST_ID} />}
        </Stack>
      )}
    </QueryState>
  );
}

/** The columns of the chosen template's CSV, and what happens to each row. */
function ColumnsHelp({ template }: { template: string | null }) {
  return (
    <Card withBorder radius="md" padding="lg" h="100%" data-testid="import-help">
      <Group justify="space-between" mb="xs">
        <Title order={5}>Columns</Title>
        <SampleCsvButton
          target={template ? { kind: "stock", template } : null}
          label={template ? `Sample ${template} CSV` : "Sample CSV"}
          testId="import-sample"
        />
      </Group>
      <Text size="sm" mb="xs" data-testid="import-columns">
        {template ? (
          <>
            {template}: <Code>{COLUMNS[template] ?? OTHER_COLUMNS}</Code> ([…] optional)
          </>
        ) : (
          "Pick the item type to see the columns its CSV needs."
        )}
      </Text>
      <List size="sm" spacing={4} c="dimmed">
        <List.Item>UTF-8, a header row; comma, semicolon, tab or | as delimiter.</List.Item>
        <List.Item>A new serial adds an item in state new.</List.Item>
        <List.Item>
          A serial already in stock is updated while the item is still new, else it is unchanged or refused.
        </List.Item>
        <List.Item>Bad rows are listed and change nothing; the good rows are imported.</List.Item>
      </List>
    </Card>
  );
}

/**
 * Add stock from a CSV of one template's items: the same upload as subscriber imports (the
 * template goes with the file), validated first as a dry run if wanted, then followed live here.
 */
export function ImportPage() {
  useDocumentTitle("Stock import");
  const templates = useTemplates();
  const [template, setTemplate] = useState<string | null>(null);
  const [importId, setImportId] = useState<number | null>(null);

  return (
    <>
      <PageBreadcrumbs items={[{ label: "Inventory", to: "/inventory" }, { label: "Import" }]} />
      <PageHeader
        title="Import inventory"
        description="Add items of one type from a CSV. Validate it first (a dry run checks every row and writes nothing), then import it: a worker adds the rows and lists the bad ones."
        actions={
          <Button
            component={Link}
            to="/imports?kind=stock"
            variant="default"
            leftSection={<IconHistory size={16} />}
            data-testid="import-history-link"
          >
            Past stock imports
          </Button>
        }
      />
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <UploadCard
            title="Upload stock"
            target={template ? { kind: "stock", template } : null}
            onStarted={(job) => setImportId(job.import_id)}
            testId={TEST_ID}
          >
            <NativeSelect
              label="Item type"
              data={[{ value: "", label: "Pick a template…" }, ...(templates.data ?? []).map((t) => t.item)]}
              value={template ?? ""}
              onChange={(e) => setTemplate(e.currentTarget.value || null)}
              maw={360}
              data-testid="import-template"
            />
          </UploadCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <ColumnsHelp template={template} />
        </Grid.Col>
      </Grid>
      {importId !== null && <StockImportJob key={importId} importId={importId} />}
    </>
  );
}
