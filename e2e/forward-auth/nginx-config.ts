/** Ports and paths of the nginx forward-auth test setup. */
export interface NginxSetup {
  /** Directory for nginx's logs and temp files. */
  dir: string;
  listenPort: number;
  duotokenPort: number;
  upstreamPort: number;
  /** Run workers as root (needed when the test runs as root: the temp dir is root-only). */
  asRoot: boolean;
}

/**
 * The nginx configuration of docs/forward-auth.md, with test ports: every
 * request is checked by duotoken's `GET /auth/verify` (auth_request) before
 * it is proxied, and the identity headers duotoken answers replace any the
 * client sent.
 */
export function nginxConfig(s: NginxSetup): string {
  return `
${s.asRoot ? 'user root;' : ''}
worker_processes 1;
error_log ${s.dir}/error.log warn;
events { worker_connections 64; }
http {
  client_body_temp_path ${s.dir}/client_body;
  proxy_temp_path ${s.dir}/proxy;
  fastcgi_temp_path ${s.dir}/fastcgi;
  uwsgi_temp_path ${s.dir}/uwsgi;
  scgi_temp_path ${s.dir}/scgi;
  # $uri, never $request_uri or $request: a token in the query string must not reach the log.
  log_format no_query '$remote_addr "$request_method $uri" $status';
  access_log ${s.dir}/access.log no_query;

  upstream duotoken { server 127.0.0.1:${s.duotokenPort}; }
  upstream app { server 127.0.0.1:${s.upstreamPort}; }

  server {
    listen 127.0.0.1:${s.listenPort};

    location = /_duotoken_verify {
      internal;
      proxy_pass http://duotoken/auth/verify;
      proxy_method GET;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Original-Method $request_method;
    }

    location / {
      auth_request /_duotoken_verify;
      auth_request_set $auth_user_id $upstream_http_x_auth_user_id;
      auth_request_set $auth_company_id $upstream_http_x_auth_company_id;
      auth_request_set $auth_session_id $upstream_http_x_auth_session_id;
      auth_request_set $auth_roles $upstream_http_x_auth_roles;
      proxy_set_header X-Auth-User-Id $auth_user_id;
      proxy_set_header X-Auth-Company-Id $auth_company_id;
      proxy_set_header X-Auth-Session-Id $auth_session_id;
      proxy_set_header X-Auth-Roles $auth_roles;
      proxy_pass http://app;
    }
  }
}
`;
}
