import { Link } from 'react-router';
import { EmptyState } from '../components/states.tsx';

export default function NotFoundPage() {
  return (
    <EmptyState
      title="This page does not exist"
      action={
        <Link className="button" to="/">
          Go to the dashboard
        </Link>
      }
    >
      The address may be mistyped, or the page moved.
    </EmptyState>
  );
}
