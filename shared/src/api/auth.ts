import { z } from 'zod';

/** Users, sessions and API tokens (docs/api.md "Authentication", "Users", "API tokens"). */
export const ROLES = ['admin', 'it', 'viewer'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const LoginRequestSchema = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
});

/** A user as the API shows it (never the password hash). */
export const UserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: RoleSchema,
  createdAt: z.number(),
});
export type User = z.infer<typeof UserSchema>;

export const LoginResponseSchema = z.object({
  user: UserSchema,
  /** when the session ends (epoch ms) */
  expiresAt: z.number(),
  /** echo it in `X-CSRF-Token` on every write made with the session cookie */
  csrfToken: z.string(),
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

export const CreateUserRequestSchema = z.object({
  username: z
    .string()
    .min(2)
    .max(100)
    .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only'),
  password: z.string().min(10, 'at least 10 characters').max(200),
  role: RoleSchema,
});

/** `PATCH /api/v1/users/:id`: a new role and/or a new password (which ends the user's tokens and sessions) */
export const UpdateUserRequestSchema = z
  .object({ role: RoleSchema.optional(), password: CreateUserRequestSchema.shape.password.optional() })
  .strict();

/** `POST /api/v1/me/password`: a user changes their own password */
export const ChangePasswordRequestSchema = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: CreateUserRequestSchema.shape.password,
});

/** API tokens expire: 90 days unless asked otherwise at creation, within 1–365 days. */
export const API_TOKEN_DAYS = { default: 90, min: 1, max: 365 } as const;

export const CreateApiTokenRequestSchema = z.object({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(API_TOKEN_DAYS.min).max(API_TOKEN_DAYS.max).optional(),
});

/** An API token as listed (never the token itself). */
export const ApiTokenSchema = z.object({
  id: z.number().int(),
  userId: z.number().int(),
  username: z.string(),
  name: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  /** updated at most once a minute per token */
  lastUsedAt: z.number().nullable(),
  status: z.enum(['active', 'expired']),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

/** `POST /api/v1/tokens`: the token itself, shown this once */
export const CreatedApiTokenSchema = ApiTokenSchema.extend({ token: z.string() });
export type CreatedApiToken = z.infer<typeof CreatedApiTokenSchema>;

/** `GET /api/v1/admin/tokens`: every user's tokens, or one user's */
export const AdminTokenQuerySchema = z.object({ userId: z.coerce.number().int().positive().optional() });
