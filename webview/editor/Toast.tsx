/** A short notice at the bottom of the editor (see useToast). */
export function Toast({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <div className="cnn-toast" role="status" data-testid="toast">
      {message}
    </div>
  );
}
