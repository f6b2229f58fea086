import { ok, envelope } from '../http/envelope.js';
import { actorOf, type AdminRouteKit } from './admin-route-kit.js';
import {
  adminErrors,
  CompanyData,
  CompanyListQuery,
  CompanyPage,
  CompanyParams,
  CreateCompanyBody,
  MemberPage,
  PagingQuery,
  UpdateCompanyBody,
} from './admin-schemas.js';

/** `/admin/companies…`: list, detail, create, rename, disable/enable, members. */
export function registerAdminCompanyRoutes({ app, admin, common, schema }: AdminRouteKit): void {
  app.get(
    '/admin/companies',
    {
      ...common,
      schema: schema('List companies with their number of members (company admins: theirs)', {
        querystring: CompanyListQuery,
        response: { 200: envelope(CompanyPage), ...adminErrors },
      }),
    },
    async (request) => {
      const { search, status, limit = 50, offset = 0 } = request.query;
      return ok(request, await admin.companies.list({ search: search || undefined, status, limit, offset }, actorOf(request)));
    },
  );

  app.post(
    '/admin/companies',
    {
      ...common,
      schema: schema('Create a company (platform admins)', {
        body: CreateCompanyBody,
        response: { 200: envelope(CompanyData), ...adminErrors },
      }),
    },
    async (request) => ok(request, await admin.companies.create(request.body.name, actorOf(request))),
  );

  app.get(
    '/admin/companies/:id',
    { ...common, schema: schema('A company', { params: CompanyParams, response: { 200: envelope(CompanyData), ...adminErrors } }) },
    async (request) => ok(request, await admin.companies.get(request.params.id, actorOf(request))),
  );

  app.patch(
    '/admin/companies/:id',
    {
      ...common,
      schema: schema('Rename a company, or disable/enable it (platform admins; disabling revokes its sessions)', {
        params: CompanyParams,
        body: UpdateCompanyBody,
        response: { 200: envelope(CompanyData), ...adminErrors },
      }),
    },
    async (request) => ok(request, await admin.companies.update(request.params.id, request.body, actorOf(request))),
  );

  app.get(
    '/admin/companies/:id/members',
    {
      ...common,
      schema: schema("A company's members with their roles", {
        params: CompanyParams,
        querystring: PagingQuery,
        response: { 200: envelope(MemberPage), ...adminErrors },
      }),
    },
    async (request) => {
      const { limit = 50, offset = 0 } = request.query;
      return ok(request, await admin.companies.members(request.params.id, { limit, offset }, actorOf(request)));
    },
  );
}
