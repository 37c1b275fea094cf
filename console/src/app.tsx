import { lazy, type ReactNode, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { SessionProvider, useSession } from './api/session.tsx';
import { ConfirmProvider } from './components/confirm-dialog.tsx';
import { Shell } from './components/shell.tsx';
import { Loading } from './components/states.tsx';

// One chunk per page: the sign-in page never downloads the dashboard's charts.
const SignIn = lazy(() => import('./pages/sign-in.tsx'));
const AcceptInvitation = lazy(() => import('./pages/accept-invitation.tsx'));
const ResetPassword = lazy(() => import('./pages/reset-password.tsx'));
const Dashboard = lazy(() => import('./pages/dashboard.tsx'));
const Calls = lazy(() => import('./pages/calls.tsx'));
const CallDetail = lazy(() => import('./pages/call-detail.tsx'));
const Agents = lazy(() => import('./pages/agents.tsx'));
const AgentEdit = lazy(() => import('./pages/agent-edit.tsx'));
const PhoneNumbers = lazy(() => import('./pages/phone-numbers.tsx'));
const KnowledgeBases = lazy(() => import('./pages/knowledge-bases.tsx'));
const KnowledgeBaseDetail = lazy(() => import('./pages/knowledge-base-detail.tsx'));
const ApiKeys = lazy(() => import('./pages/api-keys.tsx'));
const Webhooks = lazy(() => import('./pages/webhooks.tsx'));
const Usage = lazy(() => import('./pages/usage.tsx'));
const Team = lazy(() => import('./pages/team.tsx'));
const Settings = lazy(() => import('./pages/settings.tsx'));
const MfaEnrol = lazy(() => import('./pages/mfa-enrol.tsx'));
const Exports = lazy(() => import('./pages/exports.tsx'));
const Campaigns = lazy(() => import('./pages/campaigns.tsx'));
const CampaignEdit = lazy(() => import('./pages/campaign-edit.tsx'));
const CampaignDetail = lazy(() => import('./pages/campaign-detail.tsx'));
const DoNotCall = lazy(() => import('./pages/do-not-call.tsx'));
const NotFound = lazy(() => import('./pages/not-found.tsx'));

function RequireSession({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  if (session.status === 'checking') return <Loading label="Checking your session…" />;
  if (session.status === 'signed-out') {
    if (session.byUser) return <Navigate to="/sign-in" replace />;
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`} replace />;
  }
  return <>{children}</>;
}

export function App() {
  return (
    <SessionProvider>
      <ConfirmProvider>
        <BrowserRouter>
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route path="/sign-in" element={<SignIn />} />
              <Route path="/accept-invitation" element={<AcceptInvitation />} />
              <Route path="/reset-password" element={<ResetPassword />} />
              <Route
                element={
                  <RequireSession>
                    <Shell />
                  </RequireSession>
                }
              >
                <Route index element={<Dashboard />} />
                <Route path="calls" element={<Calls />} />
                <Route path="calls/:id" element={<CallDetail />} />
                <Route path="agents" element={<Agents />} />
                <Route path="agents/new" element={<AgentEdit />} />
                <Route path="agents/:id" element={<AgentEdit />} />
                <Route path="phone-numbers" element={<PhoneNumbers />} />
                <Route path="campaigns" element={<Campaigns />} />
                <Route path="campaigns/new" element={<CampaignEdit />} />
                <Route path="campaigns/:id" element={<CampaignDetail />} />
                <Route path="campaigns/:id/edit" element={<CampaignEdit />} />
                <Route path="do-not-call" element={<DoNotCall />} />
                <Route path="knowledge-bases" element={<KnowledgeBases />} />
                <Route path="knowledge-bases/:id" element={<KnowledgeBaseDetail />} />
                <Route path="api-keys" element={<ApiKeys />} />
                <Route path="webhooks" element={<Webhooks />} />
                <Route path="usage" element={<Usage />} />
                <Route path="team" element={<Team />} />
                <Route path="settings" element={<Settings />} />
                <Route path="settings/mfa" element={<MfaEnrol />} />
                <Route path="exports" element={<Exports />} />
                <Route path="*" element={<NotFound />} />
              </Route>
            </Routes>
          </Suspense>
        </BrowserRouter>
      </ConfirmProvider>
    </SessionProvider>
  );
}
