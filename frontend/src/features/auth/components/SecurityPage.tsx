import { Stack } from "@mantine/core";
import { useEffect } from "react";
import { useLocation } from "react-router";
import { PageHeader } from "@/components";
import { ChangePasswordCard } from "./ChangePasswordCard";
import { SessionsCard } from "./SessionsCard";
import { TwoFactorCard } from "./TwoFactorCard";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

export function SecurityPage() {
  useDocumentTitle("Security");
  const { hash } = useLocation();
  useEffect(() => {
    if (hash) document.getElementById(hash.slice(1))?.scrollIntoView({ behavior: "smooth" });
  }, [hash]);
  return (
    <>
      <PageHeader
        title="Security"
        description="Your password, two-factor authentication and the places you are signed in."
      />
      <Stack>
        <ChangePasswordCard />
        <TwoFactorCard />
        <SessionsCard />
      </Stack>
    </>
  );
}
