// Posts a submission the way a platform would: multipart with a bearer key.

export async function submit(
  baseUrl: string,
  key: string,
  fields: {
    externalId: string;
    caption?: string;
    image: Uint8Array;
    filename?: string;
    type?: string;
  },
): Promise<Response> {
  const form = new FormData();
  form.set('externalId', fields.externalId);
  if (fields.caption !== undefined) form.set('caption', fields.caption);
  form.set(
    'image',
    new Blob([new Uint8Array(fields.image)], { type: fields.type ?? 'image/png' }),
    fields.filename ?? 'image.png',
  );
  return fetch(`${baseUrl}/api/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: form,
  });
}
