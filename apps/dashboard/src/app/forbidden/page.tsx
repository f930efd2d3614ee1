import Link from 'next/link';

export default function ForbiddenPage() {
  return (
    <main className="flex min-h-full items-center justify-center p-6 text-center">
      <div>
        <h1 className="text-xl font-semibold">Not for your role</h1>
        <p className="mt-2 text-sm text-muted-foreground">
          Ask an admin if you need access to this page.
        </p>
        <Link href="/" className="mt-4 inline-block text-sm text-indigo-600 hover:underline">
          Back to the overview
        </Link>
      </div>
    </main>
  );
}
