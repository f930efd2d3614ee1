/** The three roles a user can hold. Admins can do everything the others can. */
export const roles = ['ADMIN', 'ENGINEER', 'MODERATOR'] as const;
export type Role = (typeof roles)[number];

/** Who may use which area. ADMIN is listed explicitly so a reader sees the whole rule. */
export const access = {
  admin: ['ADMIN'],
  moderation: ['ADMIN', 'MODERATOR'],
  engineering: ['ADMIN', 'ENGINEER'],
  anyone: ['ADMIN', 'ENGINEER', 'MODERATOR'],
} as const satisfies Record<string, readonly Role[]>;

/** True when `role` is one of `allowed`. */
export function hasRole(role: string | null | undefined, allowed: readonly Role[]): boolean {
  return role !== null && role !== undefined && (allowed as readonly string[]).includes(role);
}

/** Narrows an arbitrary string (as stored by better-auth) to a Role. */
export function asRole(value: unknown): Role | null {
  return typeof value === 'string' && (roles as readonly string[]).includes(value)
    ? (value as Role)
    : null;
}

export const roleLabels: Record<Role, string> = {
  ADMIN: 'Admin',
  ENGINEER: 'ML engineer',
  MODERATOR: 'Moderator',
};
