import { Type } from 'typebox';

/** `POST /cms/user/login` body (JSON or form), as lin-cms's LoginValidator takes it; lin-cms-vue adds `captcha` (empty when none was shown). */
export const LinCmsLoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 128 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  captcha: Type.Optional(Type.String({ maxLength: 64 })),
});

/** The header in which lin-cms-vue sends its captcha's tag. */
export const LIN_CMS_TAG_HEADER = 'tag';

/** `POST /cms/user/login` headers: lin-cms-vue sends the `tag` of the captcha it showed (empty when none). */
export const LinCmsLoginHeaders = Type.Object({ tag: Type.Optional(Type.String({ maxLength: 64 })) });

/** `POST /cms/user/captcha`: the captcha's handle and its image as a `data:` URL; both null when the captcha is off, as lin-cms answers. */
export const LinCmsCaptcha = Type.Object({
  tag: Type.Union([Type.String(), Type.Null()]),
  image: Type.Union([Type.String({ examples: ['data:image/svg+xml;base64,…'] }), Type.Null()]),
});

/** `PUT /cms/user/change_password` body, as lin-cms-vue sends it. */
export const LinCmsPasswordBody = Type.Object({
  old_password: Type.String({ minLength: 1, maxLength: 1024 }),
  new_password: Type.String({ minLength: 1, maxLength: 1024 }),
  confirm_password: Type.String({ minLength: 1, maxLength: 1024 }),
});

/** lin-cms's bare token pair. */
export const LinCmsTokenPair = Type.Object({ access_token: Type.String(), refresh_token: Type.String() });

/** lin-cms's error answer; its success messages (`{ code: 4, message: "密码修改成功", … }`) have the same shape. */
export const LinCmsErrorBody = Type.Object({
  code: Type.Integer({ examples: [10051] }),
  message: Type.String(),
  request: Type.String({ examples: ['GET /cms/user/information'] }),
});

const Group = Type.Object({ id: Type.Integer(), name: Type.String(), info: Type.Union([Type.String(), Type.Null()]) });

/** `GET /cms/user/information`, in lin-cms's fields. */
export const LinCmsInformation = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  nickname: Type.String(),
  avatar: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  admin: Type.Boolean(),
  groups: Type.Array(Group),
});

/** `GET /cms/user/permissions`: the information plus permissions grouped by module. */
export const LinCmsPermissions = Type.Object({
  ...LinCmsInformation.properties,
  permissions: Type.Array(Type.Record(Type.String(), Type.Array(Type.Object({ permission: Type.String(), module: Type.String() })))),
});

/** Error answers of a lin-cms route. */
export const linCmsErrors = {
  400: LinCmsErrorBody,
  401: LinCmsErrorBody,
  403: LinCmsErrorBody,
  429: LinCmsErrorBody,
  500: LinCmsErrorBody,
  503: LinCmsErrorBody,
};

/** OpenAPI security of lin-cms's protected routes. */
export const linCmsBearer: Array<Record<string, string[]>> = [{ bearerAuth: [] }];
