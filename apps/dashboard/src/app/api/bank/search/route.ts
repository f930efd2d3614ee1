import { searchHashesOfImage } from '@ganmod/db/client';
import { IMAGE_MIME, ModerationInputError } from '@ganmod/moderation/contract';
import { access } from '~/lib/roles';
import { authorizeRequest } from '~/server/auth/session';
import { refuseForeignOrigin } from '~/server/http/origin-check';
import { bankImageLimits } from '~/server/moderation/bank';
import { readBankUpload } from '~/server/moderation/bank-uploads';

export const dynamic = 'force-dynamic';

/** The PDQ hash of an uploaded image and those of its rotations and mirrors (`near`), for
 * searching the bank by image (moderators). */
export async function POST(req: Request) {
  const refusal = refuseForeignOrigin(req);
  if (refusal) return refusal;
  const auth = await authorizeRequest(req, access.moderation);
  if (auth.error) return auth.error;
  const limits = bankImageLimits();
  const upload = await readBankUpload(
    req,
    'The image',
    Object.values(IMAGE_MIME),
    limits.maxImageBytes,
  );
  if (upload.error) return upload.error;
  try {
    return Response.json(await searchHashesOfImage(upload.bytes, limits));
  } catch (err) {
    if (err instanceof ModerationInputError) {
      return Response.json(
        { error: `The image cannot be hashed: ${err.message}` },
        { status: 400 },
      );
    }
    throw err;
  }
}
