import { Code, Stack, Table, Tabs, Text } from "@mantine/core";
import { DetailCard, Field, QueryState } from "@/components";
import { formatValue } from "@/lib/format";
import { useTemplatePreview, type TemplateName, type TemplatePreview } from "../api";
import { templateLabel } from "../constants";
import { HtmlFrame } from "./HtmlFrame";
import { PlainText } from "./MessageBody";

function SampleFacts({ sample }: { sample: TemplatePreview["sample"] }) {
  const entries = Object.entries(sample);
  if (entries.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No facts.
      </Text>
    );
  return (
    <Table withTableBorder withColumnBorders verticalSpacing={4} fz="sm" data-testid="template-preview-sample">
      <Table.Tbody>
        {entries.map(([key, value]) => (
          <Table.Tr key={key} data-testid="template-sample-row" data-key={key}>
            <Table.Td w="35%">
              <Code>{key}</Code>
            </Table.Td>
            <Table.Td style={{ wordBreak: "break-all" }}>{formatValue(value)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Preview({ preview }: { preview: TemplatePreview }) {
  const first = preview.html ? "html" : "text";
  return (
    <Stack>
      <Field label="Subject" testId="template-preview-subject">
        {preview.subject}
      </Field>
      <Tabs defaultValue={first}>
        <Tabs.List mb="sm">
          {preview.html && (
            <Tabs.Tab value="html" data-testid="template-tab-html">
              HTML
            </Tabs.Tab>
          )}
          <Tabs.Tab value="text" data-testid="template-tab-text">
            Text
          </Tabs.Tab>
          {preview.sms && (
            <Tabs.Tab value="sms" data-testid="template-tab-sms">
              SMS
            </Tabs.Tab>
          )}
        </Tabs.List>
        {preview.html && (
          <Tabs.Panel value="html">
            <HtmlFrame
              html={preview.html}
              title={`Preview of ${preview.name}`}
              testId="template-preview-html"
              height={420}
            />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="text">
          <PlainText text={preview.text} testId="template-preview-text" />
        </Tabs.Panel>
        {preview.sms && (
          <Tabs.Panel value="sms">
            <PlainText text={preview.sms} testId="template-preview-sms" />
            <Text size="xs" c="dimmed" mt={4}>
              {preview.sms.length} characters
            </Text>
          </Tabs.Panel>
        )}
      </Tabs>
      <div>
        <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={4}>
          Sample facts
        </Text>
        <SampleFacts sample={preview.sample} />
      </div>
    </Stack>
  );
}

/** The chosen template rendered with its sample facts, as a customer would get it. */
export function TemplatePreviewCard({ name }: { name: TemplateName | null }) {
  const preview = useTemplatePreview(name);
  return (
    <DetailCard title={name ? templateLabel(name) : "Preview"} testId="template-preview">
      {name === null ? (
        <Text size="sm" c="dimmed">
          Choose a template to see it rendered with sample facts.
        </Text>
      ) : (
        <QueryState query={preview}>{(p) => <Preview preview={p} />}</QueryState>
      )}
    </DetailCard>
  );
}
